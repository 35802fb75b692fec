import { Types, type Connection, type QueryFilter } from 'mongoose';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { callSessionModel, type CallSessionDoc, type SessionOrigin, type SessionStatus, type TimelineEntry } from '../../models/call-session';
import { creditEntryModel } from '../../models/credit-entry';
import { reservationModel, type ReservationDoc } from '../../models/reservation';
import { paginate } from './pagination';
import { notFound } from '../errors';

export type { TimelineEntry };

/**
 * Call records: the callback sessions as the configuration API shows them, with what each one cost.
 * Read-only. Every function takes the tenant scope (`{ clientId }` for a client key, `{}` for the
 * operator) and applies it to every query, so another client's call is simply not found.
 *
 * What it costs is read from the reservations, never from the session: a call's charge is the sum of
 * its settled reservations, and the balance after each charge is the `balanceAfter` of the client's
 * call-charge ledger entry, whose `_id` is the reservation id.
 */

export type TenantScope = { clientId?: Types.ObjectId };

export const SESSION_STATUSES = ['refused', 'ringing', 'scheduled', 'queued', 'calling', 'answered', 'completed', 'cancelled', 'failed'] as const;
// Fails to compile when models/call-session.ts gains a status this list does not name (or the reverse).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const statusesComplete: Same<(typeof SESSION_STATUSES)[number], SessionStatus> = true;
void statusesComplete;

export const SESSION_ORIGINS = ['ring', 'api', 'sms'] as const;
const originsComplete: Same<(typeof SESSION_ORIGINS)[number], SessionOrigin> = true;
void originsComplete;

export interface CallListFilter {
  clientId?: Types.ObjectId | undefined;
  extensionId?: Types.ObjectId | undefined;
  status?: SessionStatus | undefined;
  origin?: SessionOrigin | undefined;
  /** createdAt >= from */
  from?: Date | undefined;
  /** createdAt < to */
  to?: Date | undefined;
}

/** A list row never needs the (up to 200 entries) timeline, the TwiML replay cache or the trace. */
const LIST_PROJECTION = { timeline: 0, lastTwiml: 0, callerIdTrace: 0 } as const;

/** A session has at most a few dials (3 per session); this only bounds a damaged document's read. */
const MAX_CHARGES_PER_CALL = 50;

/** The report answers at most this many authorized caller IDs (the most expensive first). */
export const REPORT_MAX_GROUPS = 1_000;

/** The scope and the caller's clientId filter, or null when they contradict (nothing can match). */
function clientScope(scope: TenantScope, clientId: Types.ObjectId | undefined): TenantScope | null {
  if (!clientId) return scope;
  if (scope.clientId && !scope.clientId.equals(clientId)) return null;
  return { clientId };
}

function dateRange(from: Date | undefined, to: Date | undefined): { $gte?: Date; $lt?: Date } | undefined {
  if (!from && !to) return undefined;
  return { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) };
}

export type CallListRow = Omit<CallSessionDoc, 'timeline' | 'lastTwiml' | 'callerIdTrace'> & { charge: number };

export async function listCalls(
  db: Connection,
  scope: TenantScope,
  filter: CallListFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: CallListRow[]; nextCursor: string | null }> {
  const client = clientScope(scope, filter.clientId);
  if (!client) return { items: [], nextCursor: null };
  const createdAt = dateRange(filter.from, filter.to);
  const q: QueryFilter<CallSessionDoc> = {
    ...client,
    ...(filter.extensionId ? { extensionId: filter.extensionId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    // Sessions stored before requested callbacks existed have no origin: they rang.
    ...(filter.origin ? { origin: filter.origin === 'ring' ? { $in: ['ring', null] } : filter.origin } : {}),
    ...(createdAt ? { createdAt } : {}),
  };
  const p = await paginate(callSessionModel(db), q, page, { project: LIST_PROJECTION });
  const charges = await settledChargesBySession(
    db,
    client,
    p.items.map((s) => s._id),
  );
  return { items: p.items.map((s) => ({ ...s, charge: charges.get(String(s._id)) ?? 0 })), nextCursor: p.nextCursor };
}

/** Sum of the settled charges of each session (one $group over at most a page of sessions' dials). */
async function settledChargesBySession(db: Connection, scope: TenantScope, sessionIds: Types.ObjectId[]): Promise<Map<string, number>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await reservationModel(db).aggregate<{ _id: Types.ObjectId; charge: number }>([
    { $match: { ...scope, sessionId: { $in: sessionIds }, state: 'settled' } },
    { $group: { _id: '$sessionId', charge: { $sum: '$charge' } } },
  ]);
  return new Map(rows.map((r) => [String(r._id), r.charge ?? 0]));
}

export interface CallCharge {
  reservation: ReservationDoc;
  /** The client's balance right after this charge (the call-charge entry's), null until settled. */
  balanceAfter: number | null;
}

export interface CallRecord {
  session: Omit<CallSessionDoc, 'lastTwiml'>;
  charge: number;
  charges: CallCharge[];
}

export async function loadCall(db: Connection, scope: TenantScope, id: Types.ObjectId): Promise<CallRecord> {
  const session = await callSessionModel(db)
    .findOne({ _id: id, ...scope }, { lastTwiml: 0 })
    .lean();
  if (!session) throw notFound('call');
  const reservations = await reservationModel(db)
    .find({ sessionId: session._id, clientId: session.clientId })
    // In the order the money was taken (a callback hold's id is derived, not time-ordered).
    .sort({ createdAt: 1, seq: 1, _id: 1 })
    .limit(MAX_CHARGES_PER_CALL)
    .lean();
  const entries = reservations.length
    ? await creditEntryModel(db)
        .find({ _id: { $in: reservations.map((r) => r._id) }, clientId: session.clientId, kind: 'call-charge', state: 'applied' }, { balanceAfter: 1 })
        .lean()
    : [];
  const after = new Map(entries.map((e) => [String(e._id), e.balanceAfter ?? null]));
  const charges = mergeCallbackHolds(reservations.map((r) => ({ reservation: r, balanceAfter: after.get(String(r._id)) ?? null })));
  const charge = reservations.reduce((sum, r) => sum + (r.state === 'settled' ? (r.charge ?? 0) : 0), 0);
  return { session, charge, charges };
}

/**
 * One entry per leg: a callback attempt may hold in several pieces (src/domain/reservations/callback-leg.ts), shown
 * as one charge (amounts and charge summed, the furthest seconds, the balance after its last piece).
 * Void pieces never held money.
 */
export function mergeCallbackHolds(charges: CallCharge[]): CallCharge[] {
  const out: CallCharge[] = [];
  const byAttempt = new Map<number, CallCharge>();
  for (const c of charges) {
    const r = c.reservation;
    if (r.leg !== 'callback') {
      out.push(c);
      continue;
    }
    if (r.state === 'void' && r.seq > 0) continue;
    const first = byAttempt.get(r.attempt ?? 0);
    if (!first) {
      const entry = { reservation: { ...r }, balanceAfter: c.balanceAfter };
      byAttempt.set(r.attempt ?? 0, entry);
      out.push(entry);
      continue;
    }
    const m = first.reservation;
    // Each piece's seconds count from the leg's answer: the leg is held for the furthest of them.
    m.seconds = Math.max(m.seconds, r.seconds);
    m.clientAmount += r.clientAmount;
    m.callerAmount += r.callerAmount;
    m.charge = m.charge === null || r.charge === null ? null : m.charge + r.charge;
    if (r.state !== 'settled') m.state = r.state;
    if (c.balanceAfter !== null) first.balanceAfter = c.balanceAfter;
  }
  return out;
}

export interface CallerReportFilter {
  clientId?: Types.ObjectId | undefined;
  extensionId?: Types.ObjectId | undefined;
  /** Dials started at or after. */
  from?: Date | undefined;
  /** Dials started before. */
  to?: Date | undefined;
}

export interface CallerReportRow {
  authorizedCallerId: Types.ObjectId;
  number: string | null;
  name: string | null;
  calls: number;
  seconds: number;
  cost: number;
}

/**
 * The authorized caller IDs that called through an extension. Reservations do not carry the extension;
 * an authorized caller ID belongs to one extension, and its sessions name both (deleted caller IDs
 * included, unlike the authorized_callers collection).
 */
async function callersOfExtension(db: Connection, client: TenantScope, extensionId: Types.ObjectId): Promise<{ $in: Types.ObjectId[] }> {
  const ids = await callSessionModel(db).distinct('authorizedCallerId', { ...client, extensionId, authorizedCallerId: { $ne: null } });
  return { $in: (ids as (Types.ObjectId | null)[]).filter((x): x is Types.ObjectId => x instanceof Types.ObjectId) };
}

/**
 * Cost per authorized caller ID from the settled reservations of both legs (the callback leg and the
 * dials), dated by when each was held: `cost` and `seconds` sum both legs, `calls` counts the calls
 * (sessions) with at least one settled leg.
 * Most expensive first, at most REPORT_MAX_GROUPS rows; `truncated` says when there were more.
 */
export async function authorizedCallerReport(db: Connection, scope: TenantScope, filter: CallerReportFilter): Promise<{ rows: CallerReportRow[]; truncated: boolean }> {
  const client = clientScope(scope, filter.clientId);
  if (!client) return { rows: [], truncated: false };
  const callerFilter = filter.extensionId ? await callersOfExtension(db, client, filter.extensionId) : { $ne: null };
  if ('$in' in callerFilter && callerFilter.$in.length === 0) return { rows: [], truncated: false };
  const createdAt = dateRange(filter.from, filter.to);
  const match = { ...client, state: 'settled', ...(createdAt ? { createdAt } : {}) };
  const reservations = reservationModel(db);
  // One accumulator per $group: the embedded FerretDB computes only the first accumulator of a $group
  // (the others come back 0), so each figure is its own pipeline. The first one picks (and bounds) the
  // caller IDs; the others only read those.
  const groups = await reservations.aggregate<{ _id: Types.ObjectId; cost: number }>([
    { $match: { ...match, authorizedCallerId: callerFilter } },
    { $group: { _id: '$authorizedCallerId', cost: { $sum: '$charge' } } },
    { $sort: { cost: -1, _id: 1 } },
    { $limit: REPORT_MAX_GROUPS + 1 },
  ]);
  const truncated = groups.length > REPORT_MAX_GROUPS;
  const kept = groups.slice(0, REPORT_MAX_GROUPS);
  if (kept.length === 0) return { rows: [], truncated };
  const keptMatch = { $match: { ...match, authorizedCallerId: { $in: kept.map((g) => g._id) } } };
  const [seconds, calls, names] = await Promise.all([
    reservations.aggregate<{ _id: Types.ObjectId; seconds: number }>([
      keptMatch,
      // A callback attempt's later holds repeat its duration: count it once (its first hold).
      { $match: { $or: [{ leg: { $ne: 'callback' } }, { seq: 0 }] } },
      { $group: { _id: '$authorizedCallerId', seconds: { $sum: '$duration' } } },
    ]),
    // Per (caller ID, session) first, so `calls` counts calls, not dials.
    reservations.aggregate<{ _id: Types.ObjectId; calls: number }>([
      keptMatch,
      { $group: { _id: { caller: '$authorizedCallerId', session: '$sessionId' }, dials: { $sum: 1 } } },
      { $group: { _id: '$_id.caller', calls: { $sum: 1 } } },
    ]),
    callerNames(
      db,
      client,
      kept.map((g) => g._id),
    ),
  ]);
  const secondsOf = new Map(seconds.map((g) => [String(g._id), g.seconds ?? 0]));
  const callsOf = new Map(calls.map((g) => [String(g._id), g.calls ?? 0]));
  return {
    rows: kept.map((g) => ({
      authorizedCallerId: g._id,
      number: names.get(String(g._id))?.number ?? null,
      name: names.get(String(g._id))?.name ?? null,
      calls: callsOf.get(String(g._id)) ?? 0,
      seconds: secondsOf.get(String(g._id)) ?? 0,
      cost: g.cost ?? 0,
    })),
    truncated,
  };
}

/** Number and name of each caller ID; a deleted one keeps its number (from one of its sessions), not its name. */
async function callerNames(db: Connection, scope: TenantScope, ids: Types.ObjectId[]): Promise<Map<string, { number: string | null; name: string | null }>> {
  if (ids.length === 0) return new Map();
  const callers = await authorizedCallerModel(db)
    .find({ _id: { $in: ids }, ...scope }, { number: 1, name: 1 })
    .lean();
  const out = new Map<string, { number: string | null; name: string | null }>(callers.map((c) => [String(c._id), { number: c.number, name: c.name ?? null }]));
  const missing = ids.filter((id) => !out.has(String(id)));
  await Promise.all(
    missing.map(async (id) => {
      const s = await callSessionModel(db)
        .findOne({ ...scope, authorizedCallerId: id }, { target: 1 })
        .lean();
      out.set(String(id), { number: s?.target ?? null, name: null });
    }),
  );
  return out;
}
