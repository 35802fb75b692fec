import { Types } from 'mongoose';
import type { AppDeps } from '../deps';
import { isDuplicateKey } from '../db/duplicate-key';
import { findInboundCall, insertInboundCall } from '../domain/call-sessions/incoming-call-writes';
import { timelineEntry } from '../domain/call-sessions/session-events';
import { sessionExists } from '../domain/call-sessions/sessions';
import { decideForRoute } from './callback-decision';
import { ConfigCache } from './config-cache';
import { storeSession, type SessionTerms } from './store-session';
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
  const decided = await decideForRoute(deps, config, route, p.From, now);
  if (!decided) return { holdMs: 0, twiml: REJECTED }; // the client was deleted since
  // The ring is counted from the request's arrival, so the time spent here is part of it, not added to it.
  const key = await claimInboundKey(deps, p, new Date(now.getTime() + route.extension.callback.triggerAfterSeconds * 1000));
  if ('twiml' in key) return key;
  const terms: SessionTerms = {
    key: p.CallSid,
    from: p.From,
    to: p.To,
    callerName: p.CallerName ?? null,
    origin: 'ring',
    requested: null,
    ringEndsAt: key.ringEndsAt,
    placementDueAt: new Date(key.ringEndsAt.getTime() + CALLBACK_DELAY_MS),
    scheduled: false,
    opening: timelineEntry(now, 'incoming', { callSid: p.CallSid, from: p.From, to: p.To }),
  };
  await storeSession(deps, terms, route, decided, key.sessionId, now);
  return replay(key.ringEndsAt, key.sessionId, deps.clock.now());
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

function replay(ringEndsAt: Date, sessionId: Types.ObjectId, now: Date): IncomingAnswer {
  return { holdMs: Math.max(0, ringEndsAt.getTime() - now.getTime()), twiml: BUSY_TWIML, sessionId: String(sessionId) };
}
