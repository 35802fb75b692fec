import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateLocalCredentials } from '../src/local-credentials';
import { connectNumbers, findPublicUrl, httpServiceApi } from '../src/twilio/connect-numbers';
import { createTwilioClient } from '../src/twilio/rest-client';

/**
 * `npm run twilio:connect [-- --dry-run]`: imports the account's Twilio numbers into the service's
 * "Twilio" channel and points each number that rings back to a callback extension at
 * `<public URL>/voice/incoming` (status callback `<public URL>/voice/status`) and, when the number takes
 * SMS, its messages at `<public URL>/sms/incoming` (an SMS asks for a callback).
 *
 * Needs: TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN (without them: the local simulator's account on
 * SIMULATOR_PORT, for a dry try), ADMIN_API_KEY (or --api-key) for the running service at --service
 * (default http://localhost:$PORT), and a public URL (PUBLIC_BASE_URL or a running ngrok agent).
 */
async function main(): Promise<number> {
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  const { values: v } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      service: { type: 'string' },
      'api-key': { type: 'string' },
      'public-url': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (v.help) {
    console.log('usage: npm run twilio:connect -- [--dry-run] [--service http://localhost:3000] [--api-key KEY] [--public-url https://...]');
    return 0;
  }
  const env = process.env;
  const apiKey = v['api-key'] ?? env.ADMIN_API_KEY;
  if (!apiKey) {
    console.error('ADMIN_API_KEY (or --api-key) is needed: the operator key printed by the service on its first start');
    return 2;
  }
  const service = v.service ?? `http://localhost:${env.PORT ?? 3000}`;
  const publicUrl = v['public-url'] ?? (await findPublicUrl(env));
  let creds: { accountSid: string; authToken: string };
  let apiBaseUrl = env.TWILIO_API_BASE_URL;
  if (env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN) creds = { accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN };
  else {
    creds = loadOrCreateLocalCredentials(path.resolve(env.DATA_DIR ?? './data'));
    apiBaseUrl ??= `http://127.0.0.1:${env.SIMULATOR_PORT ?? 3999}`;
    console.log(`no TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN: using the local simulator at ${apiBaseUrl}`);
  }
  const twilio = createTwilioClient({ ...creds, apiBaseUrl });
  console.log(`public URL: ${publicUrl}; service API: ${service}${v['dry-run'] ? ' (dry run: nothing is changed)' : ''}`);
  await connectNumbers({ twilio, api: httpServiceApi(service, apiKey), publicUrl, dryRun: v['dry-run']!, log: (l) => console.log(l) });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
