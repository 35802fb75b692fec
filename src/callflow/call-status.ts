import { Types } from 'mongoose';
import type { AppDeps } from '../deps';
import { findInboundCall } from '../domain/call-sessions/incoming-call-writes';
import { recordStatusOnce, releaseCallbackLock } from '../domain/call-sessions/session-events';
import { findSession, type CallSessionDoc } from '../domain/call-sessions/sessions';
import { adoptReportedCallSid, cancelForHangUp, completeSession, giveUpCallback, queueRetry } from '../domain/call-sessions/status-transitions';
import { completedEvent, failedEvent, placedEvent } from '../domain/events/call-events';
import { emitCallEvent } from '../domain/events/emit';
import { findExtension } from '../domain/extensions';
import { cancelQueuedJobs, queuePlacement } from '../domain/jobs/job-placement';
import { chargeCallbackLeg } from './callback-leg-charge';
import { knownCallSids } from './place-callback';

const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export interface CallStatusParams {
  CallSid: string;
  CallStatus: string;
  CallDuration?: string | undefined;
  AnsweredBy?: string | undefined;
  SequenceNumber?: string | undefined;
}

/** What makes two status callbacks the same one: Twilio's retry or a replay. */
const statusKey = (p: CallStatusParams) => `${p.CallSid}:${p.CallStatus}:${p.SequenceNumber ?? ''}`;

/**
 * `POST /voice/status`: status callbacks of the numbers (the inbound leg) and of the callbacks we place.
 * They can come late, twice or out of order: every transition is a conditional update on the state it
 * leaves, so a repeated or stale callback changes nothing.
 */
export async function handleCallStatus(deps: AppDeps, query: { session?: string | undefined; leg?: string | undefined }, p: CallStatusParams): Promise<void> {
  if (query.leg === 'callback' && query.session && Types.ObjectId.isValid(query.session)) {
    const session = await findSession(deps.db, query.session);
    if (session) await callbackLegStatus(deps, session, p);
    return;
  }
  const inbound = await findInboundCall(deps.db, p.CallSid);
  const session = inbound ? await findSession(deps.db, inbound.sessionId) : null;
  if (session) await inboundLegStatus(deps, session, p);
}

/** The caller hung up before the ring time was over: they gave up, so no callback. */
async function inboundLegStatus(deps: AppDeps, s: CallSessionDoc, p: CallStatusParams): Promise<void> {
  const now = deps.clock.now();
  await recordStatusOnce(deps.db, s._id, statusKey(p), now, { event: 'inbound-status', detail: { status: p.CallStatus } });
  // A replay goes on: every transition below is conditional, so it changes nothing (or finishes a crashed run).
  if (!FINAL.has(p.CallStatus) || now >= s.ringEndsAt) return;
  if (!(await cancelForHangUp(deps.db, s._id, now))) return;
  deps.metrics.sessionEnded('cancelled', 'caller-hung-up');
  await cancelQueuedJobs(deps.db, s._id);
  await releaseCallbackLock(deps.db, s._id);
}

async function callbackLegStatus(deps: AppDeps, s: CallSessionDoc, p: CallStatusParams): Promise<void> {
  const db = deps.db;
  const now = deps.clock.now();
  // The first callback for this attempt may arrive before calls.create returned (or after it timed out):
  // adopt its CallSid, unless it is a late report of an earlier attempt's call.
  if (!s.callback.callSid && s.status === 'calling' && !knownCallSids(s).has(p.CallSid)) {
    // Named with its attempt, so the sweeper can still find this call once a later attempt runs.
    await Promise.all([adoptReportedCallSid(db, s._id, p.CallSid, s.callback.attempts, now), emitCallEvent(db, placedEvent(s, s.callback.attempts, p.CallSid, now))]);
    s = { ...s, callback: { ...s.callback, callSid: p.CallSid } };
  }
  await recordStatusOnce(db, s._id, statusKey(p), now, {
    event: 'callback-status',
    detail: { callSid: p.CallSid, status: p.CallStatus, duration: p.CallDuration ?? null },
    set: { 'callback.lastStatus': p.CallStatus, ...(FINAL.has(p.CallStatus) ? { 'callback.endedCallSid': p.CallSid } : {}) },
  });
  // Money first: the attempt this report ends is charged (once, however often it is reported) before
  // anything is retried. A replay goes on like the rest below: the charge is conditional too.
  await chargeCallbackLeg(deps, s, p);
  if (p.CallSid !== s.callback.callSid || !FINAL.has(p.CallStatus)) return; // a late report of an earlier attempt

  const talked = p.CallStatus === 'completed' && s.callback.answeredAt && !s.callback.machine;
  if (talked) {
    // Emitted by every report of the end (same id): a replay after a lost write still stores it.
    const [completed] = await Promise.all([completeSession(db, s._id), emitCallEvent(db, completedEvent(s, s.callback.attempts, now))]);
    if (!completed) return;
    deps.metrics.sessionEnded('completed', s.reason);
    await releaseCallbackLock(db, s._id);
    return;
  }

  // Busy, no answer, failed, or a machine: retry while attempts remain.
  const ext = await findExtension(db, s.extensionId);
  const attempts = ext?.callback.retry.attempts ?? 1;
  if (ext && s.callback.attempts < attempts) {
    const next = s.callback.attempts + 1;
    // false when a repeated callback already queued it: the session moves on all the same.
    if (await queuePlacement(db, s._id, next, new Date(now.getTime() + ext.callback.retry.delaySeconds * 1000))) {
      deps.metrics.callbackRetried(s.callback.machine ? 'machine' : p.CallStatus);
    }
    await queueRetry(db, s._id, p.CallSid, now, { after: p.CallStatus, machine: s.callback.machine, nextAttempt: next });
    return;
  }
  const reason = s.callback.machine ? 'callback-answered-by-machine' : `callback-${p.CallStatus}`;
  const [gaveUp] = await Promise.all([giveUpCallback(db, s._id, reason, s.callback.attempts, now), emitCallEvent(db, failedEvent(s, reason, s.callback.attempts, now))]);
  if (!gaveUp) return;
  deps.metrics.sessionEnded('failed', reason);
  await releaseCallbackLock(db, s._id);
}
