import { Types, type Connection } from 'mongoose';
import { apiKeyModel } from '../../models/api-key';
import { displayPrefix, hashApiKey, newApiKey } from '../api/api-keys';

/** The one generated operator key has a fixed id, so two instances starting at once cannot both make one. */
const BOOTSTRAP_ADMIN_KEY_ID = new Types.ObjectId('000000000000000000000001');

/**
 * Without ADMIN_API_KEY, the first start generates the operator key, returns it to be printed once, and
 * keeps only its hash. Later starts (and other instances) find the hash and return nothing.
 */
export async function ensureBootstrapAdminKey(db: Connection, now: Date): Promise<string | undefined> {
  const keys = apiKeyModel(db);
  if (await keys.exists({ role: 'admin' })) return undefined;
  const key = newApiKey();
  try {
    await keys.create({
      _id: BOOTSTRAP_ADMIN_KEY_ID,
      hash: hashApiKey(key),
      prefix: displayPrefix(key),
      role: 'admin',
      clientId: null,
      name: 'generated on first start',
      createdAt: now,
    });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return undefined; // another instance won
    throw err;
  }
  return key;
}
