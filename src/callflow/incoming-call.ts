import { Types } from 'mongoose';
import type { AppDeps } from '../deps';
import { isDuplicateKey } from '../db/duplicate-key';
import { findInboundCall, insertInboundCall, insertSession, takeCallbackLock } from '../domain/call-sessions/incoming-call-writes';
import { releaseCallbackLock, timelineEntry } from '../domain/call-sessions/session-events';
import { countActiveSessions, sessionExists } from '../domain/call-sessions/sessions';
import { callbackCounterId, countWithinHour } from '../domain/call-sessions/target-counters';
import { queueFirstPlacement } from '../domain/jobs/job-placement';
import { toE164 } from '../phone';
import { callCost, findRate, type Rate } from '../billing/rating';
import { ConfigCache, type CachedCaller, type NumberRoute } from './config-cache';
import { decideCallback, type CallbackDecision } from './decide-callback';
import { checkPrefixes, operatorDenies } from './destination';
import { isHiddenCaller } from './hidden-caller';
import { BUSY_TWIML, rejectTwiml } from './twiml';

/** The caller's line must be free again before we ring it: the callback is placed this long after the reject. */
export const CALLBACK_DELAY_MS = 3_000;

export interface IncomingCallParams {
  CallSid: string;
  From: string;
  To: string;
  CallerName?: string | undefined;
}

export interface IncomingAnswer {
  /** How long to hold the response (the caller hears ringing), then answer `twiml`. */
  holdMs: number;
  twiml: string;
  sessionId?: string;
}

const REJECTED = rejectTwiml('rejected');

/**
 * An incoming call to a number that rings back to a callback extension. The session (and, when the
 * caller gets a callback, its lock and job) is stored before the response is held, so a crash during the
 * ring loses nothing. Refused callers ring exactly as long as accepted ones: a stranger cannot tell an
 * authorized number from another by the ring. Twilio's retries of this webhook find the same session.
 */
export async function handleIncomingCall(deps: AppDeps, p: IncomingCallParams): Promise<IncomingAnswer> {
  const now = deps.clock.now();
  const config = ConfigCache.for(deps.db);
  await config.refresh();
  const route = await config.route(p.To);
  if (!route) return { holdMs: 0, twiml: REJECTED };
  const decided = await decide(deps, config, route, p, now);
  if (!decided) return { holdMs: 0, twiml: REJECTED }; // the client was deleted since
  // The ring is counted from the request's arrival, so the time spent here is part of it, not added to it.
  const key = await claimInboundKey(deps, p, new Date(now.getTime() + route.extension.callback.triggerAfterSeconds * 1000));
  if ('twiml' in key) return key;
  await storeSession(deps, p, route, decided, key, now);
  return replay(key.ringEndsAt, key.sessionId, deps.clock.now());
}

interface Decided {
  decision: CallbackDecision;
  callerE164: string | null;
  authorized: CachedCaller | null;
  callbackRate: Rate | null;
}

/** Everything the decision needs, read in one round (configuration from the cache, money fresh); null: the client is gone. */
async function decide(deps: AppDeps, config: ConfigCache, route: NumberRoute, p: IncomingCallParams, now: Date): Promise<Decided | null> {
  const { extension: ext, client } = route;
  const hidden = isHiddenCaller(p.From);
  const callerE164 = hidden ? null : (toE164(p.From) ?? null);
  const caller = callerE164 ? config.authorizedCaller(ext._id, callerE164) : Promise.resolve(null);
  // The number a callback would go to (decideCallback has the final word): its counter is read now, to
  // refuse early; the callback is counted, atomically, when it is placed (place-callback.ts).
  const likelyTarget = ext.callback.returnCalls === 'fixed' ? ext.callback.fixedNumber : callerE164;
  const [authorized, available, balance, lockouts, activeCalls, fraud, callbacksToTarget] = await Promise.all([
    caller,
    // A limited caller ID's credit is money: read fresh, in the same round as the rest.
    caller.then((a) => (a && !a.unlimited ? config.freshAvailable(a._id) : 0)),
    client.unlimitedCredit ? 0 : config.freshBalance(client._id),
    config.lockouts(ext._id, now),
    client.maxConcurrentCalls === null ? 0 : countActiveSessions(deps.db, client._id),
    config.fraud(),
    likelyTarget ? config.freshCounter(callbackCounterId(likelyTarget)) : null,
  ]);
  const chargeCallbackLeg = ext.callback.chargeCallbackLeg !== false;
  const callbackRateOf = (t: string) => findRate(route.callbackRates, t);
  if (balance === null) return null;
  const decision = decideCallback({
    returnCalls: ext.callback.returnCalls,
    fixedNumber: ext.callback.fixedNumber,
    callerE164,
    callerHidden: hidden,
    authorizedCaller: authorized ? { id: String(authorized._id), enabled: authorized.enabled, unlimited: authorized.unlimited, available } : null,
    client: { unlimitedCredit: client.unlimitedCredit, balance, activeCalls, maxConcurrentCalls: client.maxConcurrentCalls },
    cheapestIncrement: route.cheapestIncrement,
    targetLockedOut: (t) => lockouts.some((l) => l.target === t && l.until > now),
    targetAllowed: (t) => checkPrefixes(t, client.allowPrefixes, client.denyPrefixes).ok && !operatorDenies(t, fraud.denyPrefixes),
    chargeCallbackLeg,
    callbackIncrement: (t) => {
      const rate = callbackRateOf(t);
      return rate ? callCost(rate.initialSeconds, rate) : null;
    },
    callbacksToTargetLastHour: countWithinHour(callbacksToTarget, now),
    maxCallbacksPerTargetPerHour: fraud.maxCallbacksPerTargetPerHour,
  });
  const callbackRate = decision.callback && chargeCallbackLeg ? (callbackRateOf(decision.target) ?? null) : null;
  return { decision, callerE164, authorized, callbackRate };
}

/**
 * The idempotency key is written first: a Twilio retry of this CallSid (or a duplicate racing us) fails
 * on it, finds the first session and rings until the same ring end (the answer returned here).
 */
async function claimInboundKey(deps: AppDeps, p: IncomingCallParams, ringEndsAt: Date): Promise<{ sessionId: Types.ObjectId; ringEndsAt: Date } | IncomingAnswer> {
  const sessionId = new Types.ObjectId();
  try {
    await insertInboundCall(deps.db, { _id: p.CallSid, sessionId, ringEndsAt });
    return { sessionId, ringEndsAt };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const first = await findInboundCall(deps.db, p.CallSid);
    if (!first) throw err;
    if (await sessionExists(deps.db, first.sessionId)) return replay(first.ringEndsAt, first.sessionId, deps.clock.now());
    // The first attempt wrote its key and then failed (the database went away): finish its work under
    // its ids. Every write below is idempotent for a given session id, so a racing duplicate is harmless.
    return { sessionId: first.sessionId, ringEndsAt: first.ringEndsAt };
  }
}

/** The callback leg's rate as the session keeps it (the rate table may change during the call). */
const storedRate = (r: Rate): Rate => ({
  prefix: r.prefix,
  perMinute: r.perMinute,
  initialSeconds: r.initialSeconds,
  incrementSeconds: r.incrementSeconds,
  connectFee: r.connectFee,
});

/** The lock (when the caller gets a callback), then the session and its job in one round. */
async function storeSession(
  deps: AppDeps,
  p: IncomingCallParams,
  route: NumberRoute,
  { decision, callerE164, authorized, callbackRate }: Decided,
  { sessionId, ringEndsAt }: { sessionId: Types.ObjectId; ringEndsAt: Date },
  now: Date,
): Promise<void> {
  const db = deps.db;
  const { extension: ext, client } = route;
  let reason: string = decision.reason;
  let callback = decision.callback;
  if (decision.callback && !(await takeCallbackLock(db, deps.clock, sessionId, ext._id, decision.target))) {
    callback = false;
    reason = 'callback-already-active';
  }
  // When the authorized caller ID is the callback target (not a fixed number), its PIN and credit apply.
  const authorizedCallerId = authorized && decision.target === callerE164 ? authorized._id : null;
  const timeline = [
    timelineEntry(now, 'incoming', { callSid: p.CallSid, from: p.From, to: p.To }),
    timelineEntry(now, 'decision', { callback: decision.callback, reason: decision.reason, target: decision.target }),
  ];
  if (reason !== decision.reason) timeline.push(timelineEntry(now, 'decision', { callback: false, reason }));
  try {
    const stored = insertSession(db, {
      _id: sessionId,
      inboundCallSid: p.CallSid,
      clientId: client._id,
      extensionId: ext._id,
      calledNumber: p.To,
      callerNumber: p.From || '(empty)',
      callerName: p.CallerName?.slice(0, 100) || null,
      target: decision.target,
      authorizedCallerId,
      reason,
      callbackRate: callbackRate ? storedRate(callbackRate) : null,
      status: callback ? 'queued' : 'refused',
      ringEndsAt,
      timeline,
    });
    // The session and its job go in the same round: a job whose session is missing is cancelled by the
    // runner, a session whose job is missing is re-queued by the sweeper.
    const queued = callback ? queueFirstPlacement(db, sessionId, new Date(ringEndsAt.getTime() + CALLBACK_DELAY_MS)) : undefined;
    const [s, j] = await Promise.allSettled([stored, queued]);
    // A duplicate here is the same session or job written by a racing duplicate of this CallSid.
    if (s.status === 'rejected' && !isDuplicateKey(s.reason)) throw s.reason;
    if (j.status === 'rejected' && !isDuplicateKey(j.reason)) throw j.reason;
    // Counted by the write that stored it: a racing duplicate of this CallSid found it written.
    if (!callback && s.status === 'fulfilled') deps.metrics.sessionEnded('refused', reason);
  } catch (err) {
    // Without the session, free the lock now.
    if (callback && !(await sessionExists(db, sessionId))) await releaseCallbackLock(db, sessionId);
    throw err;
  }
}

function replay(ringEndsAt: Date, sessionId: Types.ObjectId, now: Date): IncomingAnswer {
  return { holdMs: Math.max(0, ringEndsAt.getTime() - now.getTime()), twiml: BUSY_TWIML, sessionId: String(sessionId) };
}
