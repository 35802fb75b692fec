import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { errorBody, idParams, money, moneyOut, objectId, page, pageQuery, timestamp } from '../http/schemas';
import { idOrNotFound, tenantFilter } from '../../src/domain/tenant';
import {
  authorizedCallerReport,
  type CallCharge,
  type CallListRow,
  listCalls,
  loadCall,
  REPORT_MAX_GROUPS,
  SESSION_ORIGINS,
  SESSION_STATUSES,
  type TimelineEntry,
} from '../../src/domain/call-records';

/**
 * Call records: every callback session (refused ones included) with its outcome and cost, the whole
 * timeline of one session, and a cost report per authorized caller ID. Read-only; a client key sees
 * only its own client's calls. PINs never appear: the session stores none, and timeline details are
 * filtered again on the way out.
 */

const dateTime = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .meta({ description, examples: ['2026-01-15T00:00:00Z'] })
    .transform((t) => new Date(t));

const listQuery = pageQuery
  .extend({
    clientId: objectId.optional().meta({ description: "operator: only this client's calls (a client key always sees only its own)" }),
    extensionId: objectId.optional(),
    status: z.enum(SESSION_STATUSES).optional(),
    origin: z.enum(SESSION_ORIGINS).optional().meta({ description: 'ring: the number rang; api: POST /api/callbacks; sms: an SMS to the number' }),
    from: dateTime('calls created at or after this time').optional(),
    to: dateTime('calls created before this time').optional(),
  })
  .strict();

const reportQuery = z
  .object({
    clientId: objectId.optional().meta({ description: 'operator: only this client (a client key always reports on its own)' }),
    extensionId: objectId.optional(),
    from: dateTime('dials started at or after this time').optional(),
    to: dateTime('dials started before this time').optional(),
  })
  .strict();

const callOut = z
  .object({
    id: z.string(),
    clientId: z.string(),
    extensionId: z.string(),
    inboundCallSid: z.string(),
    callerNumber: z.string(),
    calledNumber: z.string(),
    target: z.string().nullable().meta({ description: 'the number called back; null when refused without one' }),
    status: z.enum(SESSION_STATUSES),
    origin: z.enum(SESSION_ORIGINS).meta({ description: 'how the callback was asked for: ring (the number rang), api (POST /api/callbacks) or sms' }),
    requested: z
      .object({
        dueAt: timestamp.meta({ description: 'when the callback is placed: the requested time, moved past the quiet hours' }),
        destination: z.string().nullable().meta({ description: 'the destination dialed after the password, instead of asking for one' }),
      })
      .strict()
      .nullable()
      .meta({ description: 'a requested callback (api, sms); null when the number rang' }),
    reason: z.string().meta({ description: 'why the call is in its status, e.g. "caller-not-authorized", "dial-completed"' }),
    createdAt: timestamp,
    updatedAt: timestamp,
    callback: z.object({ attempts: z.number().int(), callSid: z.string().nullable(), lastStatus: z.string().nullable() }).strict(),
    destination: z.string().nullable().meta({ description: 'the last number dialed (E.164)' }),
    dials: z.number().int(),
    charge: moneyOut.meta({ description: 'sum of the settled charges of all legs of the call (callback and dials), e.g. "0.04"' }),
    authorizedCallerId: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'Call' });

const timelineOut = z
  .object({
    at: timestamp,
    event: z.string().meta({ description: 'e.g. incoming, decision, callback-placed, callback-answered, password-accepted, dial, dial-ended' }),
    detail: z.record(z.string(), z.unknown()).meta({ description: 'free-form facts of the event (amounts as decimal strings); never a PIN' }),
  })
  .strict()
  .meta({ id: 'CallEvent' });

const chargeOut = z
  .object({
    reservationId: z.string(),
    leg: z.enum(['callback', 'dial']).meta({ description: 'callback: the call the service placed to the caller; dial: the call the caller dialed' }),
    destination: z.string().meta({ description: 'the number this leg called (the callback target for the callback leg)' }),
    seconds: z.number().int().meta({ description: 'seconds held for: the dial time limit; for the callback leg, the seconds of it its holds pay' }),
    duration: z.number().int().nullable().meta({ description: 'talk time reported by Twilio, null until settled' }),
    charge: moneyOut.nullable().meta({ description: 'null until settled' }),
    state: z.enum(['reserving', 'held', 'settling', 'settled', 'void']),
    balanceAfter: moneyOut.nullable().meta({ description: "the client's balance after this charge, null until settled" }),
  })
  .strict()
  .meta({ id: 'CallCharge' });

const callDetailOut = callOut
  .extend({
    timeline: z.array(timelineOut),
    callerIdTrace: z.array(z.object({ rule: z.string(), detail: z.string() }).strict()).nullable(),
    charges: z.array(chargeOut),
  })
  .strict()
  .meta({ id: 'CallDetail' });

const reportRowOut = z
  .object({
    authorizedCallerId: z.string(),
    number: z.string().nullable().meta({ description: 'null only if the caller ID was deleted and no call shows its number' }),
    name: z.string().nullable(),
    calls: z.number().int().meta({ description: 'calls with at least one settled leg' }),
    seconds: z.number().int().meta({ description: 'talk time of both legs (callback and dials)' }),
    cost: moneyOut,
  })
  .strict()
  .meta({ id: 'AuthorizedCallerCost' });

type CallOut = z.infer<typeof callOut>;

export function presentCall(s: CallListRow): CallOut {
  return {
    id: String(s._id),
    clientId: String(s.clientId),
    extensionId: String(s.extensionId),
    inboundCallSid: s.inboundCallSid,
    callerNumber: s.callerNumber,
    calledNumber: s.calledNumber,
    target: s.target ?? null,
    status: s.status,
    origin: s.origin ?? 'ring',
    requested: s.requested ? { dueAt: s.requested.dueAt.toISOString(), destination: s.requested.destination ?? null } : null,
    reason: s.reason,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    callback: { attempts: s.callback?.attempts ?? 0, callSid: s.callback?.callSid ?? null, lastStatus: s.callback?.lastStatus ?? null },
    destination: s.destination?.number ?? null,
    dials: s.destination?.dials ?? 0,
    charge: money(s.charge),
    authorizedCallerId: s.authorizedCallerId ? String(s.authorizedCallerId) : null,
  };
}

/** Amounts the call flow records in ten-thousandths; shown as the API shows money everywhere else. */
const MONEY_KEYS = new Set(['reserved', 'charge', 'balanceAfter']);
/** Never shown, whatever a future event records. */
const SECRET_KEY = /^(pin|password|passcode)|hash$|secret/i;

function presentDetail(value: unknown, key?: string): unknown {
  if (key && MONEY_KEYS.has(key) && typeof value === 'number' && Number.isInteger(value)) return money(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => presentDetail(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEY.test(k)) continue;
      out[k] = presentDetail(v, k);
    }
    return out;
  }
  return value;
}

function presentEvent(e: TimelineEntry): z.infer<typeof timelineOut> {
  const detail = e.detail && typeof e.detail === 'object' && !Array.isArray(e.detail) ? e.detail : {};
  return { at: new Date(e.at).toISOString(), event: e.event, detail: presentDetail(detail) as Record<string, unknown> };
}

function presentCharge(c: CallCharge): z.infer<typeof chargeOut> {
  const r = c.reservation;
  return {
    reservationId: String(r._id),
    leg: r.leg ?? 'dial',
    destination: r.destination,
    seconds: r.seconds,
    duration: r.duration ?? null,
    charge: r.state === 'settled' && r.charge !== null ? money(r.charge) : null,
    state: r.state,
    balanceAfter: c.balanceAfter === null ? null : money(c.balanceAfter),
  };
}

const errors = {
  400: { description: 'invalid input', schema: errorBody },
  401: { description: 'missing or unknown API key', schema: errorBody },
};

const TAG = 'calls';

export const callRoutes: RouteSpec[] = [
  // Registered before /calls/:id so the literal path is never taken for an id.
  defineRoute({
    method: 'get',
    path: '/calls/reports/authorized-callers',
    summary: `Cost per authorized caller ID from the settled dials, most expensive first (at most ${REPORT_MAX_GROUPS} rows)`,
    tag: TAG,
    access: 'tenant',
    query: reportQuery,
    responses: {
      200: {
        description: `one row per authorized caller ID; X-Report-Truncated is set when more than ${REPORT_MAX_GROUPS} had calls`,
        schema: z.array(reportRowOut),
      },
      ...errors,
    },
    handler: async ({ deps, query, principal, res }) => {
      const { rows, truncated } = await authorizedCallerReport(deps.db, tenantFilter(principal), {
        clientId: query.clientId ? idOrNotFound(query.clientId, 'client') : undefined,
        extensionId: query.extensionId ? idOrNotFound(query.extensionId, 'extension') : undefined,
        from: query.from,
        to: query.to,
      });
      if (truncated) res.setHeader('X-Report-Truncated', `only the ${REPORT_MAX_GROUPS} most expensive caller IDs; narrow with extensionId, from and to`);
      return {
        status: 200,
        body: rows.map((r) => ({
          authorizedCallerId: String(r.authorizedCallerId),
          number: r.number,
          name: r.name,
          calls: r.calls,
          seconds: r.seconds,
          cost: money(r.cost),
        })),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/calls',
    summary: 'List call records, newest first; filter by extension, status, origin and creation time',
    tag: TAG,
    access: 'tenant',
    query: listQuery,
    responses: { 200: { description: 'a page of calls', schema: page(callOut) }, ...errors },
    handler: async ({ deps, query, principal }) => {
      const { clientId, extensionId, status, origin, from, to, ...pq } = query;
      const p = await listCalls(
        deps.db,
        tenantFilter(principal),
        {
          clientId: clientId ? idOrNotFound(clientId, 'client') : undefined,
          extensionId: extensionId ? idOrNotFound(extensionId, 'extension') : undefined,
          status,
          origin,
          from,
          to,
        },
        pq,
      );
      return { status: 200, body: { items: p.items.map(presentCall), nextCursor: p.nextCursor } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/calls/:id',
    summary: 'A call record with its whole timeline (webhooks, decisions, callback attempts, dials), caller ID trace and charges',
    tag: TAG,
    access: 'tenant',
    params: idParams,
    responses: {
      200: { description: 'the call', schema: callDetailOut },
      ...errors,
      404: { description: "not found (or another client's)", schema: errorBody },
    },
    handler: async ({ deps, params, principal }) => {
      const { session, charge, charges } = await loadCall(deps.db, tenantFilter(principal), idOrNotFound(params.id, 'call'));
      return {
        status: 200,
        body: {
          ...presentCall({ ...session, charge }),
          timeline: (session.timeline ?? []).map(presentEvent),
          callerIdTrace: session.callerIdTrace ? session.callerIdTrace.map((t) => ({ rule: t.rule, detail: t.detail })) : null,
          charges: charges.map(presentCharge),
        },
      };
    },
  }),
];
