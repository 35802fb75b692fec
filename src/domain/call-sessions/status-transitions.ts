import type { Connection, Types } from 'mongoose';
import { callSessionModel } from '../../../models/call-session';
import { timelineEntry } from './session-events';

/**
 * The session transitions of status callbacks (src/callflow/call-status.ts). Each is a conditional
 * update on the state it leaves, so a repeated or stale callback changes nothing; those that return a
 * boolean tell whether this callback made the transition.
 */

/** The caller hung up during the ring: a ringing or queued session is cancelled. */
export async function cancelForHangUp(db: Connection, sessionId: Types.ObjectId, now: Date): Promise<boolean> {
  const cancelled = await callSessionModel(db).findOneAndUpdate(
    { _id: sessionId, status: { $in: ['ringing', 'queued'] } },
    { $set: { status: 'cancelled', reason: 'caller-hung-up' }, $push: { timeline: timelineEntry(now, 'callback-cancelled', { reason: 'caller-hung-up' }) } },
  );
  return cancelled !== null;
}

/** A status callback that came before (or instead of) calls.create's answer names the attempt's call. */
export async function adoptReportedCallSid(db: Connection, sessionId: Types.ObjectId, callSid: string, attempt: number, now: Date): Promise<void> {
  await callSessionModel(db).updateOne(
    { _id: sessionId, 'callback.callSid': null },
    { $set: { 'callback.callSid': callSid }, $push: { timeline: timelineEntry(now, 'callback-adopted', { callSid, attempt }) } },
  );
}

/** The callback was answered by a person and ended. */
export async function completeSession(db: Connection, sessionId: Types.ObjectId): Promise<boolean> {
  const done = await callSessionModel(db).findOneAndUpdate({ _id: sessionId, status: { $in: ['calling', 'answered'] } }, { $set: { status: 'completed' } });
  return done !== null;
}

/** Back to queued for the next attempt (its job is queued first), only while `callSid` is the current attempt. */
export async function queueRetry(
  db: Connection,
  sessionId: Types.ObjectId,
  callSid: string,
  now: Date,
  detail: { after: string; machine: boolean; nextAttempt: number },
): Promise<void> {
  await callSessionModel(db).updateOne(
    { _id: sessionId, status: { $in: ['calling', 'answered'] }, 'callback.callSid': callSid },
    { $set: { status: 'queued' }, $push: { timeline: timelineEntry(now, 'callback-retry', detail) } },
  );
}

/** No attempt left: the session failed with `reason`. */
export async function giveUpCallback(db: Connection, sessionId: Types.ObjectId, reason: string, attempts: number, now: Date): Promise<boolean> {
  const failed = await callSessionModel(db).findOneAndUpdate(
    { _id: sessionId, status: { $in: ['calling', 'answered'] } },
    { $set: { status: 'failed', reason }, $push: { timeline: timelineEntry(now, 'callback-gave-up', { attempts }) } },
  );
  return failed !== null;
}
