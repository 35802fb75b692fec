import type { Request } from 'express';
import { principalOfKeyHash } from '../../src/domain/api-keys';
import type { AppDeps } from '../../src/deps';
import { unauthorized } from '../../src/errors';
import { BEARER_KEY, hashApiKey, sameHash } from '../../src/security/api-keys';
import type { Principal } from './route-spec';

const BEARER = new RegExp(`^Bearer (${BEARER_KEY.source.slice(1, -1)})$`);

/** Resolves `Authorization: Bearer <key>` to the operator or to one client. */
export async function authenticate(req: Request, deps: AppDeps): Promise<Principal> {
  const m = BEARER.exec(req.header('authorization') ?? '');
  if (!m) throw unauthorized('send "Authorization: Bearer <api key>"');
  const hash = hashApiKey(m[1]!);
  if (deps.config.adminApiKey && sameHash(hash, hashApiKey(deps.config.adminApiKey))) return { role: 'admin' };
  const principal = await principalOfKeyHash(deps.db, hash);
  if (!principal) throw unauthorized('unknown API key');
  return principal;
}
