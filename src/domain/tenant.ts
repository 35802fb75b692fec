import { Types } from 'mongoose';
import { notFound } from '../errors';

/** Who asks: the operator (sees everything) or one client (its own objects only). */
export type Principal = { role: 'admin' } | { role: 'client'; clientId: string };

/**
 * Tenant scoping: every query a client key makes carries its clientId, so another client's object is
 * simply not found (404, never 403: no enumeration). The operator sees everything.
 */
export function tenantFilter(principal: Principal): { clientId?: Types.ObjectId } {
  return principal.role === 'client' ? { clientId: new Types.ObjectId(principal.clientId) } : {};
}

/** Parses a path id; a malformed one is "not found" like a missing one. */
export function idOrNotFound(id: string, what: string): Types.ObjectId {
  if (!/^[0-9a-f]{24}$/.test(id)) throw notFound(what);
  return new Types.ObjectId(id);
}

/** A client key may only name its own client; the operator may name any. */
export function assertOwnClient(principal: Principal, clientId: string, what = 'client'): void {
  if (principal.role === 'client' && principal.clientId !== clientId) throw notFound(what);
}
