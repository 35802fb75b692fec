import type { Request } from 'express';
import { apiKeyModel } from '../../models/api-key';
import type { AppDeps } from '../deps';
import { unauthorized } from '../errors';
import { BEARER_KEY, hashApiKey, sameHash } from './api-keys';
import type { Principal } from './route-spec';

const BEARER = new RegExp(`^Bearer (${BEARER_KEY.source.slice(1, -1)})$`);

/** Resolves `Authorization: Bearer <key>` to the operator or to one client. */
export async function authenticate(req: Request, deps: AppDeps): Promise<Principal> {
  const m = BEARER.exec(req.header('authorization') ?? '');
  if (!m) throw unauthorized('send "Authorization: Bearer <api key>"');
  const hash = hashApiKey(m[1]!);
  if (deps.config.adminApiKey && sameHash(hash, hashApiKey(deps.config.adminApiKey))) return { role: 'admin' };
  const key = await apiKeyModel(deps.db).findOne({ hash }).lean();
  if (!key) throw unauthorized('unknown API key');
  if (key.role === 'admin') return { role: 'admin' };
  return { role: 'client', clientId: String(key.clientId) };
}
