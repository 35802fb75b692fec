import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Local mode (no Twilio credentials): the service talks to its own simulator. The simulator's account
 * SID and auth token are random per data directory, kept in DATA_DIR so `npm run phone` can sign its
 * webhooks with the same token. Signatures stay checked: there is no unsigned mode by accident.
 */
export interface LocalCredentials {
  accountSid: string;
  authToken: string;
}

export function localCredentialsPath(dataDir: string): string {
  return path.join(dataDir, 'local-simulator.json');
}

export function loadOrCreateLocalCredentials(dataDir: string): LocalCredentials {
  const file = localCredentialsPath(dataDir);
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LocalCredentials>;
    if (typeof parsed.accountSid === 'string' && typeof parsed.authToken === 'string') {
      return { accountSid: parsed.accountSid, authToken: parsed.authToken };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const creds = {
    accountSid: `AC${randomBytes(16).toString('hex')}`,
    authToken: randomBytes(16).toString('hex'),
  };
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

/**
 * The key that encrypts stored secrets (SIP trunk passwords). DATA_ENCRYPTION_KEY wins; otherwise one
 * is created in DATA_DIR on first start. Several instances on one database must share it: set the env.
 */
export function loadOrCreateDataKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'data-encryption.key');
  try {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length === 32) return key;
    throw new Error(`${file} does not hold a 32-byte base64 key`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key;
}
