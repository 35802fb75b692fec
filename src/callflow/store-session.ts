import type { Types } from 'mongoose';
import type { AppDeps } from '../deps';
import type { SessionOrigin, SessionStatus, TimelineEntry } from '../domain/call-sessions/sessions';
import { isDuplicateKey } from '../db/duplicate-key';
import { insertSession, takeCallbackLock } from '../domain/call-sessions/incoming-call-writes';
import { releaseCallbackLock, timelineEntry } from '../domain/call-sessions/session-events';
import { sessionExists } from '../domain/call-sessions/sessions';
import { queueFirstPlacement } from '../domain/jobs/job-placement';
import type { Rate } from '../billing/rating';
import type { NumberRoute } from './config-cache';
import type { Decided } from './callback-decision';

/** How the session came to be: a call that rang, or a callback requested by API or SMS. */
export interface SessionTerms {
  /** The inbound CallSid, or the request key of a requested callback. */
  key: string;
  from: string;
  to: string;
  callerName: string | null;
  origin: SessionOrigin;
  requested: { dueAt: Date; destination: string | null } | null;
  ringEndsAt: Date;
  /** When the first placement is due. */
  placementDueAt: Date;
  /**
   * Placed later (a time that has not come): the "one callback per target" lock is taken when it is
   * placed (place-callback.ts), so a callback next week does not block the target's calls until then.
   */
  scheduled: boolean;
  /** The first timeline entry (what rang, or what was asked for). */
  opening: TimelineEntry;
  /** A refusal found before the decision (a requested destination the client may not call). */
  refusal?: string | undefined;
}

/** The callback leg's rate as the session keeps it (the rate table may change during the call). */
const storedRate = (r: Rate): Rate => ({
  prefix: r.prefix,
  perMinute: r.perMinute,
  initialSeconds: r.initialSeconds,
  incrementSeconds: r.incrementSeconds,
  connectFee: r.connectFee,
});

/** What rang or was asked for, the decision, and the refusal that overrode it (a lock held elsewhere). */
function timelineOf(terms: SessionTerms, decision: Decided['decision'], reason: string, now: Date): TimelineEntry[] {
  const timeline = [terms.opening, timelineEntry(now, 'decision', { callback: decision.callback, reason: decision.reason, target: decision.target })];
  if (reason !== decision.reason) timeline.push(timelineEntry(now, 'decision', { callback: false, reason }));
  return timeline;
}

/**
 * The lock (when the caller gets a callback now), then the session and its job in one round. Returns
 * the status and reason stored: what a requested callback answers.
 */
export async function storeSession(
  deps: AppDeps,
  terms: SessionTerms,
  route: NumberRoute,
  { decision, callerE164, authorized, callbackRate }: Decided,
  sessionId: Types.ObjectId,
  now: Date,
): Promise<{ status: SessionStatus; reason: string }> {
  const db = deps.db;
  const { extension: ext, client } = route;
  let reason: string = terms.refusal && decision.callback ? terms.refusal : decision.reason;
  let callback = decision.callback && !terms.refusal;
  const lockNow = callback && !terms.scheduled;
  if (lockNow && !(await takeCallbackLock(db, deps.clock, sessionId, ext._id, decision.target!))) {
    callback = false;
    reason = 'callback-already-active';
  }
  // When the authorized caller ID is the callback target (not a fixed number), its PIN and credit apply.
  const authorizedCallerId = authorized && decision.target === callerE164 ? authorized._id : null;
  const status: SessionStatus = !callback ? 'refused' : terms.scheduled ? 'scheduled' : 'queued';
  try {
    const stored = insertSession(
      db,
      {
        _id: sessionId,
        inboundCallSid: terms.key,
        origin: terms.origin,
        requested: terms.requested,
        clientId: client._id,
        extensionId: ext._id,
        calledNumber: terms.to,
        callerNumber: terms.from || '(empty)',
        callerName: terms.callerName?.slice(0, 100) || null,
        target: decision.target,
        authorizedCallerId,
        reason,
        callbackRate: callback && callbackRate ? storedRate(callbackRate) : null,
        status,
        ringEndsAt: terms.ringEndsAt,
        timeline: timelineOf(terms, decision, reason, now),
        // When it is placed, for the callback.queued event (the job's due time).
      },
      { dueAt: terms.placementDueAt },
    );
    // The session and its job go in the same round: a job whose session is missing is cancelled by the
    // runner, a session whose job is missing is re-queued by the sweeper.
    const queued = callback ? queueFirstPlacement(db, sessionId, terms.placementDueAt) : undefined;
    const [s, j] = await Promise.allSettled([stored, queued]);
    // A duplicate here is the same session or job written by a racing duplicate of this key.
    if (s.status === 'rejected' && !isDuplicateKey(s.reason)) throw s.reason;
    if (j.status === 'rejected' && !isDuplicateKey(j.reason)) throw j.reason;
    // Counted by the write that stored it: a racing duplicate of this key found it written.
    if (!callback && s.status === 'fulfilled') deps.metrics.sessionEnded('refused', reason);
  } catch (err) {
    // Without the session, free the lock now.
    if (lockNow && !(await sessionExists(db, sessionId))) await releaseCallbackLock(db, sessionId);
    throw err;
  }
  return { status, reason };
}
