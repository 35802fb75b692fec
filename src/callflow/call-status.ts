import { Types } from 'mongoose';
import { callSessionModel, type CallSessionDoc } from '../../models/call-session';
import { extensionModel } from '../../models/extension';
import { inboundCallModel } from '../../models/inbound-call';
import { jobModel } from '../../models/job';
import type { AppDeps } from '../deps';
import { isDuplicateKey } from '../db/duplicate-key';
import { chargeCallbackLeg } from './callback-leg-charge';
import { knownCallSids } from './place-callback';
import { recordStatusOnce, releaseCallbackLock, timelineEntry } from './session-events';

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
export async function handleCallStatus(
  deps: AppDeps,
  query: { session?: string | undefined; leg?: string | undefined },
  p: CallStatusParams,
): Promise<void> {
  if (query.leg === 'callback' && query.session && Types.ObjectId.isValid(query.session)) {
    const session = await callSessionModel(deps.db).findById(query.session).lean();
    if (session) await callbackLegStatus(deps, session, p);
    return;
  }
  const inbound = await inboundCallModel(deps.db).findById(p.CallSid).lean();
  const session = inbound ? await callSessionModel(deps.db).findById(inbound.sessionId).lean() : null;
  if (session) await inboundLegStatus(deps, session, p);
}

/** The caller hung up before the ring time was over: they gave up, so no callback. */
async function inboundLegStatus(deps: AppDeps, s: CallSessionDoc, p: CallStatusParams): Promise<void> {
  const now = deps.clock.now();
  await recordStatusOnce(deps.db, s._id, statusKey(p), now, { event: 'inbound-status', detail: { status: p.CallStatus } });
  // A replay goes on: every transition below is conditional, so it changes nothing (or finishes a crashed run).
  if (!FINAL.has(p.CallStatus) || now >= s.ringEndsAt) return;
  const cancelled = await callSessionModel(deps.db).findOneAndUpdate(
    { _id: s._id, status: { $in: ['ringing', 'queued'] } },
    { $set: { status: 'cancelled', reason: 'caller-hung-up' }, $push: { timeline: timelineEntry(now, 'callback-cancelled', { reason: 'caller-hung-up' }) } },
  );
  if (!cancelled) return;
  await jobModel(deps.db).updateMany({ sessionId: s._id, state: 'queued' }, { $set: { state: 'cancelled' } });
  await releaseCallbackLock(deps.db, s._id);
}

async function callbackLegStatus(deps: AppDeps, s: CallSessionDoc, p: CallStatusParams): Promise<void> {
  const db = deps.db;
  const now = deps.clock.now();
  const sessions = callSessionModel(db);
  // The first callback for this attempt may arrive before calls.create returned (or after it timed out):
  // adopt its CallSid, unless it is a late report of an earlier attempt's call.
  if (!s.callback.callSid && s.status === 'calling' && !knownCallSids(s).has(p.CallSid)) {
    // Named with its attempt, so the sweeper can still find this call once a later attempt runs.
    await sessions.updateOne(
      { _id: s._id, 'callback.callSid': null },
      { $set: { 'callback.callSid': p.CallSid }, $push: { timeline: timelineEntry(now, 'callback-adopted', { callSid: p.CallSid, attempt: s.callback.attempts }) } },
    );
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
    const done = await sessions.findOneAndUpdate({ _id: s._id, status: { $in: ['calling', 'answered'] } }, { $set: { status: 'completed' } });
    if (done) await releaseCallbackLock(db, s._id);
    return;
  }

  // Busy, no answer, failed, or a machine: retry while attempts remain.
  const ext = await extensionModel(db).findById(s.extensionId).lean();
  const attempts = ext?.callback.retry.attempts ?? 1;
  if (ext && s.callback.attempts < attempts) {
    const next = s.callback.attempts + 1;
    try {
      await jobModel(db).create({
        key: `${s._id}:place:${next}`,
        type: 'place-callback',
        sessionId: s._id,
        dueAt: new Date(now.getTime() + ext.callback.retry.delaySeconds * 1000),
        state: 'queued',
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // a repeated callback already queued it
    }
    await sessions.updateOne(
      { _id: s._id, status: { $in: ['calling', 'answered'] }, 'callback.callSid': p.CallSid },
      {
        $set: { status: 'queued' },
        $push: { timeline: timelineEntry(now, 'callback-retry', { after: p.CallStatus, machine: s.callback.machine, nextAttempt: next }) },
      },
    );
    return;
  }
  const failed = await sessions.findOneAndUpdate(
    { _id: s._id, status: { $in: ['calling', 'answered'] } },
    {
      $set: { status: 'failed', reason: s.callback.machine ? 'callback-answered-by-machine' : `callback-${p.CallStatus}` },
      $push: { timeline: timelineEntry(now, 'callback-gave-up', { attempts: s.callback.attempts }) },
    },
  );
  if (failed) await releaseCallbackLock(db, s._id);
}
