import { Types } from 'mongoose';
import type { AppDeps } from '../deps';
import { notFound, validationError } from '../errors';
import { isDuplicateKey } from '../db/duplicate-key';
import { findInboundCall, insertInboundCall } from '../domain/call-sessions/incoming-call-writes';
import { timelineEntry } from '../domain/call-sessions/session-events';
import { findSession } from '../domain/call-sessions/sessions';
import { callbackNumberOf } from '../domain/numbers';
import { findRate } from '../billing/rating';
import { decideForRoute, type Decided } from './callback-decision';
import { ConfigCache, type NumberRoute } from './config-cache';
import { checkPrefixes, normalizeTypedDestination, operatorDenies } from './destination';
import { afterQuietHours } from './quiet-hours';
import { storeSession } from './store-session';

/** How far ahead a callback may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 7 * 24 * 3600_000;
/** A time this little in the past is "now" (the requester's clock is a little behind ours). */
const PAST_TOLERANCE_MS = 5 * 60_000;

export interface CallbackRequest {
  origin: 'api' | 'sms';
  /** Idempotency: a second request with the same key finds the first session (sms: `sms:<MessageSid>`). */
  requestKey: string;
  /** api: the extension (its lowest number places the call). */
  extensionId?: Types.ObjectId;
  /** sms: the number the message was sent to (it routes to the extension, and places the call). */
  calledNumber?: string;
  /** The number to call back, as if it had rung; null: the extension's fixed number. */
  number: string | null;
  at: Date | null;
  /** As dialed (E.164 or national digits); dialed after the password instead of asking for one. */
  destination: string | null;
  /** A client key's client: only its own extensions. */
  clientId?: Types.ObjectId | null;
}

export type RequestOutcome = { accepted: true; sessionId: string; status: 'queued' | 'scheduled'; dueAt: Date } | { accepted: false; sessionId: string | null; reason: string };

const refused = (reason: string, sessionId: string | null = null): RequestOutcome => ({ accepted: false, sessionId, reason });

/**
 * A callback asked for by API or SMS: every rule of an incoming call applies as if `number` had rung the
 * extension (callback-decision.ts), and the session goes through the same job, status callbacks and steps
 * as a rung one. A refusal is stored like a refused ring, with its reason. Bad input (a time too far
 * ahead, a destination that is no number, no number to call) throws a validation error naming the field.
 */
export async function requestCallback(deps: AppDeps, req: CallbackRequest): Promise<RequestOutcome> {
  const now = deps.clock.now();
  const dueAt = requestedTime(req.at, now);
  const config = ConfigCache.for(deps.db);
  await config.refresh();
  const route = await routeOf(deps, config, req);
  if ('reason' in route) return refused(route.reason);
  const ext = route.extension;
  const number = req.number ?? ext.callback.fixedNumber;
  if (!number) throw validationError('number is required: the extension has no fixed number', [{ path: 'number', message: 'required (the extension has no fixed number)' }]);
  const decided = await decideForRoute(deps, config, route, number, now);
  if (!decided) return refused('number-not-routed'); // the client was deleted since
  const destination = await requestedDestination(deps, route, decided, req.destination);

  const sessionId = new Types.ObjectId();
  try {
    await insertInboundCall(deps.db, { _id: req.requestKey, sessionId, ringEndsAt: now });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return replay(deps, req.requestKey);
  }
  const placeAt = afterQuietHours(dueAt, ext.callback.quietHours);
  const scheduled = placeAt.getTime() > now.getTime();
  const stored = await storeSession(
    deps,
    {
      key: req.requestKey,
      from: number,
      to: route.calledNumber,
      callerName: null,
      origin: req.origin,
      requested: { dueAt: placeAt, destination: 'e164' in destination ? destination.e164 : null },
      ringEndsAt: now,
      placementDueAt: placeAt,
      scheduled,
      opening: timelineEntry(now, 'requested', {
        origin: req.origin,
        number,
        ...(req.at ? { at: req.at } : {}),
        ...(placeAt.getTime() !== dueAt.getTime() ? { quietHoursUntil: placeAt } : {}),
        ...('e164' in destination ? { destination: destination.e164 } : {}),
      }),
      refusal: 'refusal' in destination ? destination.refusal : undefined,
    },
    route,
    decided,
    sessionId,
    now,
  );
  if (stored.status === 'refused') return refused(stored.reason, String(sessionId));
  return { accepted: true, sessionId: String(sessionId), status: scheduled ? 'scheduled' : 'queued', dueAt: placeAt };
}

/** `at`, checked against our clock: not more than a few minutes past, at most 7 days ahead. */
function requestedTime(at: Date | null, now: Date): Date {
  if (!at) return now;
  if (at.getTime() < now.getTime() - PAST_TOLERANCE_MS) throw validationError('at is in the past', [{ path: 'at', message: 'must not be in the past' }]);
  if (at.getTime() > now.getTime() + MAX_SCHEDULE_AHEAD_MS) throw validationError('at is too far ahead', [{ path: 'at', message: 'must be at most 7 days ahead' }]);
  return at.getTime() < now.getTime() ? now : at;
}

type RouteFound = (NumberRoute & { calledNumber: string }) | { reason: string };

/** The route of the number the callback is placed from: the extension's own (api), or the number texted (sms). */
async function routeOf(deps: AppDeps, config: ConfigCache, req: CallbackRequest): Promise<RouteFound> {
  if (req.calledNumber !== undefined) {
    const route = await config.route(req.calledNumber);
    return route ? { ...route, calledNumber: req.calledNumber } : { reason: 'number-not-routed' };
  }
  if (!req.extensionId) throw validationError('extensionId is required', [{ path: 'extensionId', message: 'required' }]);
  const ext = await config.extension(req.extensionId);
  // Another client's extension is not found, exactly as one that does not exist.
  if (!ext || (req.clientId && !ext.clientId.equals(req.clientId))) {
    throw notFound('extension');
  }
  const calledNumber = await callbackNumberOf(deps.db, ext._id);
  const route = calledNumber ? await config.route(calledNumber) : null;
  if (!calledNumber || !route?.extension._id.equals(ext._id)) return { reason: 'extension-has-no-number' };
  return { ...route, calledNumber };
}

/**
 * The requested destination, normalized like digits dialed on the call, or the refusal the dial step
 * would give it (the client may not call it, or it has no rate), found now instead of on the call.
 */
async function requestedDestination(deps: AppDeps, route: NumberRoute, decided: Decided, dialed: string | null): Promise<{ e164: string } | { refusal: string } | { none: true }> {
  if (dialed === null) return { none: true };
  const normalized = normalizeTypedDestination(dialed, decided.decision.target ?? decided.callerE164 ?? '');
  if (!normalized.ok) throw validationError('destination is not a phone number', [{ path: 'destination', message: 'must be a phone number (E.164, e.g. +442071838750)' }]);
  const e164 = normalized.e164;
  const client = route.client;
  const fraud = await ConfigCache.for(deps.db).fraud();
  if (!checkPrefixes(e164, client.allowPrefixes, client.denyPrefixes).ok || operatorDenies(e164, fraud.denyPrefixes) || !findRate(route.dialRates, e164)) {
    return { refusal: 'destination-refused' };
  }
  return { e164 };
}

/** A request seen before (a retried SMS webhook): the first session's outcome. */
async function replay(deps: AppDeps, requestKey: string): Promise<RequestOutcome> {
  const first = await findInboundCall(deps.db, requestKey);
  const s = first ? await findSession(deps.db, first.sessionId) : null;
  // The first request wrote its key and then failed before its session: it was answered with an error.
  if (!first || !s) return refused('request-failed', first ? String(first.sessionId) : null);
  if (s.status === 'refused') return refused(s.reason, String(s._id));
  const status = s.status === 'scheduled' ? 'scheduled' : 'queued';
  return { accepted: true, sessionId: String(s._id), status, dueAt: s.requested?.dueAt ?? s.createdAt };
}
