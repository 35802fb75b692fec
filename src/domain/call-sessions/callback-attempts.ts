import { randomUUID } from 'node:crypto';
import type { AnyBulkWriteOperation, Connection, Types } from 'mongoose';
import { callSessionModel, type CallSessionDoc } from '../../../models/call-session';
import { timelineEntry } from './session-events';

/**
 * The session writes of placing a callback (src/callflow/place-callback.ts, which holds the rules). An
 * attempt is marked on the session before the REST request; every write is conditional on the attempt
 * still being open (`callback.callSid` null), so a run that was taken over changes nothing.
 */

/**
 * Starts an attempt for each queued (or scheduled) session of `ids`, in two commands for the whole batch (a burst of
 * callbacks falls due together). A session moves once: asked for twice in one batch, only the first
 * gets it; the others (and sessions no longer queued) get null.
 */
export async function beginAttempts(db: Connection, ids: Types.ObjectId[], now: Date): Promise<(CallSessionDoc | null)[]> {
  const sessions = callSessionModel(db);
  const attemptToken = randomUUID();
  await sessions.updateMany(
    // A scheduled callback's job falls due at its time: it starts like a queued one.
    { _id: { $in: ids }, status: { $in: ['queued', 'scheduled'] }, target: { $ne: null } },
    {
      $set: {
        status: 'calling',
        'callback.callSid': null,
        'callback.attemptStartedAt': now,
        'callback.attemptToken': attemptToken,
        'callback.machine': false,
        'callback.answeredAt': null,
        'callback.endedCallSid': null,
        'callback.coveredSeconds': 0,
      },
      $inc: { 'callback.attempts': 1 },
    },
  );
  const moved = await sessions.find({ _id: { $in: ids }, 'callback.attemptToken': attemptToken }).lean();
  const byId = new Map(moved.map((s) => [String(s._id), s]));
  return ids.map((id) => {
    const s = byId.get(String(id)) ?? null;
    byId.delete(String(id));
    return s;
  });
}

export type PlacementWrite = AnyBulkWriteOperation<CallSessionDoc>;

/** The write that records an attempt's CallSid (batched: `recordPlacements`). */
export function placedWrite(s: Pick<CallSessionDoc, '_id' | 'callback' | 'target'>, callSid: string, coveredSeconds: number | null, now: Date): PlacementWrite {
  return {
    updateOne: {
      filter: { _id: s._id, 'callback.callSid': null },
      update: {
        $set: { 'callback.callSid': callSid, 'callback.coveredSeconds': coveredSeconds },
        $push: { timeline: timelineEntry(now, 'callback-placed', { callSid, attempt: s.callback.attempts, to: s.target }) },
      },
    },
  };
}

/** One unordered bulk write for the CallSids of a batch of placed callbacks. */
export async function recordPlacements(db: Connection, writes: PlacementWrite[]): Promise<void> {
  await callSessionModel(db).bulkWrite(writes, { ordered: false });
}

/** The call of an attempt whose create had an unknown outcome, found on Twilio (no timeline entry: the caller records one). */
export async function setFoundCallSid(db: Connection, sessionId: Types.ObjectId, callSid: string): Promise<void> {
  await callSessionModel(db).updateOne({ _id: sessionId, 'callback.callSid': null }, { $set: { 'callback.callSid': callSid } });
}

/** Twilio has no call for the open attempt: it starts again now (a later look-up measures its grace from here). */
export function restartAttempt(db: Connection, sessionId: Types.ObjectId, now: Date): Promise<CallSessionDoc | null> {
  return callSessionModel(db)
    .findOneAndUpdate({ _id: sessionId, status: 'calling', 'callback.callSid': null }, { $set: { 'callback.attemptStartedAt': now } }, { returnDocument: 'after' })
    .lean()
    .exec();
}

export async function recordOutcomeUnknown(db: Connection, sessionId: Types.ObjectId, now: Date, detail: { code: unknown; message: string }): Promise<void> {
  await callSessionModel(db).updateOne(
    { _id: sessionId, status: 'calling', 'callback.callSid': null },
    { $push: { timeline: timelineEntry(now, 'callback-outcome-unknown', detail) } },
  );
}

/** A transient REST failure: the attempt is taken back and the session queued again. */
export async function requeueAfterError(db: Connection, sessionId: Types.ObjectId, now: Date, detail: { status: unknown; code: unknown; message: string }): Promise<void> {
  await callSessionModel(db).updateOne(
    { _id: sessionId, status: 'calling', 'callback.callSid': null },
    {
      $set: { status: 'queued' },
      $inc: { 'callback.attempts': -1 },
      $push: { timeline: timelineEntry(now, 'callback-retry-after-error', detail) },
    },
  );
}

/**
 * The attempt just begun waits for a free call slot (the client's `maxConcurrentCalls`): the session is
 * queued again and the attempt is not counted, so waiting never uses up the extension's retries.
 */
export async function waitForCallSlot(db: Connection, sessionId: Types.ObjectId): Promise<void> {
  await callSessionModel(db).updateOne(
    { _id: sessionId, status: 'calling', 'callback.callSid': null },
    { $set: { status: 'queued', 'callback.attemptStartedAt': null }, $inc: { 'callback.attempts': -1 } },
  );
}

export async function failCallback(db: Connection, sessionId: Types.ObjectId, reason: string, detail: Record<string, unknown>, now: Date): Promise<void> {
  await callSessionModel(db).updateOne(
    { _id: sessionId },
    { $set: { status: 'failed', reason }, $push: { timeline: timelineEntry(now, 'callback-failed', { reason, ...detail }) } },
  );
}
