import { Types, type Connection } from 'mongoose';
import { apiKeyModel, type ApiKeyDoc } from '../../models/api-key';
import { clientModel } from '../../models/client';
import { conflict, notFound } from '../errors';
import { displayPrefix, hashApiKey, newApiKey } from '../security/api-keys';
import { paginate, type Page, type PageQuery } from './pagination';
import type { Principal } from './tenant';

export type { ApiKeyDoc };

/**
 * API keys: the operator's (stored with role `admin`) and each client's. Only a key's SHA-256 hash and a
 * short display prefix are kept; the key itself is returned once, by the function that makes it.
 */

/** The one generated operator key has a fixed id, so two instances starting at once cannot both make one. */
const BOOTSTRAP_ADMIN_KEY_ID = new Types.ObjectId('000000000000000000000001');

/**
 * Without ADMIN_API_KEY, the first start generates the operator key, returns it to be printed once, and
 * keeps only its hash. Later starts (and other instances) find the hash and return nothing.
 */
export async function ensureBootstrapAdminKey(db: Connection, now: Date): Promise<string | undefined> {
  const keys = apiKeyModel(db);
  if (await keys.exists({ role: 'admin' })) return undefined;
  try {
    const { key } = await storeNewKey(db, { role: 'admin', clientId: null, name: 'generated on first start' }, now, BOOTSTRAP_ADMIN_KEY_ID);
    return key;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return undefined; // another instance won
    throw err;
  }
}

type NewKey = Pick<ApiKeyDoc, 'role' | 'clientId' | 'name'>;

async function storeNewKey(db: Connection, k: NewKey, now: Date, id?: Types.ObjectId): Promise<{ doc: ApiKeyDoc; key: string }> {
  const key = newApiKey();
  const doc = await apiKeyModel(db).create({
    ...(id ? { _id: id } : {}),
    hash: hashApiKey(key),
    prefix: displayPrefix(key),
    ...k,
    createdAt: now,
  });
  return { doc: doc.toObject(), key };
}

/** A new operator key (to rotate the operator key). */
export function createOperatorKey(db: Connection, name: string, now: Date): Promise<{ doc: ApiKeyDoc; key: string }> {
  return storeNewKey(db, { role: 'admin', clientId: null, name }, now);
}

export async function createClientKey(db: Connection, clientId: Types.ObjectId, name: string | null, now: Date): Promise<{ doc: ApiKeyDoc; key: string }> {
  if (!(await clientModel(db).exists({ _id: clientId }))) throw notFound('client');
  return storeNewKey(db, { role: 'client', clientId, name }, now);
}

/** Every key, operator and client, newest first; never the hash. */
export function listAllKeys(db: Connection, query: PageQuery): Promise<Page<ApiKeyDoc>> {
  return paginate(apiKeyModel(db), {}, query, { project: { hash: 0 } });
}

export function listClientKeys(db: Connection, clientId: Types.ObjectId, query: PageQuery): Promise<Page<ApiKeyDoc>> {
  return paginate(apiKeyModel(db), { clientId, role: 'client' }, query);
}

/**
 * Revokes a key. Without ADMIN_API_KEY the stored operator keys are the only way in: the last one stays.
 * Keys are looked up on every request (no cache), so the next request with this one gets 401.
 */
export async function revokeKey(db: Connection, id: Types.ObjectId, opts: { adminKeyConfigured: boolean }): Promise<void> {
  const keys = apiKeyModel(db);
  const key = await keys.findById(id, { role: 1 }).lean();
  if (!key) throw notFound('API key');
  if (key.role === 'admin' && !opts.adminKeyConfigured && (await keys.countDocuments({ role: 'admin' })) <= 1) {
    throw conflict('the last operator key cannot be revoked; create another one first', 'last_operator_key');
  }
  const r = await keys.deleteOne({ _id: id });
  if (!r.deletedCount) throw notFound('API key');
}

/** Who a stored key (by its hash) belongs to, or undefined for an unknown key. */
export async function principalOfKeyHash(db: Connection, hash: string): Promise<Principal | undefined> {
  const key = await apiKeyModel(db).findOne({ hash }).lean();
  if (!key) return undefined;
  return key.role === 'admin' ? { role: 'admin' } : { role: 'client', clientId: String(key.clientId) };
}
