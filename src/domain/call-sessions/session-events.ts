import type { Connection, Types } from 'mongoose';
import { callbackLockModel } from '../../../models/callback-lock';
import { callSessionModel } from '../../../models/call-session';

export function timelineEntry(at: Date, event: string, detail: Record<string, unknown> = {}) {
  return { at, event, detail };
}

/**
 * A session's timeline holds at most this many entries; then one `timeline-truncated` entry ends it.
 * Events only (status callbacks, conversation events) are held back: they are what a replay or a
 * misbehaving peer can repeat without bound. An entry that goes with a state transition is written with
 * it (each transition happens once), so the cap never blocks the call flow itself.
 */
export const TIMELINE_MAX = 500;
const TIMELINE_NOT_FULL = { [`timeline.${TIMELINE_MAX - 1}`]: { $exists: false } };

export async function recordEvent(db: Connection, sessionId: Types.ObjectId, at: Date, event: string, detail: Record<string, unknown> = {}): Promise<void> {
  const pushed = await callSessionModel(db).updateOne({ _id: sessionId, ...TIMELINE_NOT_FULL }, { $push: { timeline: timelineEntry(at, event, detail) } });
  if (!pushed.matchedCount) await markTruncated(db, sessionId, at);
}

async function markTruncated(db: Connection, sessionId: Types.ObjectId, at: Date): Promise<void> {
  await callSessionModel(db).updateOne(
    { _id: sessionId, timelineTruncated: { $ne: true } },
    { $set: { timelineTruncated: true }, $push: { timeline: timelineEntry(at, 'timeline-truncated', { max: TIMELINE_MAX }) } },
  );
}

/**
 * Records a status callback once: the same CallSid, status and SequenceNumber (when Twilio sends one)
 * again changes nothing, not even `set` (a late replay must not move lastStatus back). Returns whether it
 * was new. One update in the usual case; a second only for a replay or a full timeline.
 */
export async function recordStatusOnce(
  db: Connection,
  sessionId: Types.ObjectId,
  key: string,
  at: Date,
  entry: { event: string; detail: Record<string, unknown>; set?: Record<string, unknown> },
): Promise<boolean> {
  const sessions = callSessionModel(db);
  const unseen = { _id: sessionId, statusSeen: { $ne: key } };
  const update = { $set: entry.set ?? {}, $addToSet: { statusSeen: key } };
  const fresh = await sessions.updateOne({ ...unseen, ...TIMELINE_NOT_FULL }, { ...update, $push: { timeline: timelineEntry(at, entry.event, entry.detail) } });
  if (fresh.matchedCount) return true;
  const full = await sessions.updateOne(unseen, update);
  if (!full.matchedCount) return false; // a replay
  await markTruncated(db, sessionId, at);
  return true;
}

/** Frees the "one callback per target" lock, only if this session holds it. */
export async function releaseCallbackLock(db: Connection, sessionId: Types.ObjectId): Promise<void> {
  await callbackLockModel(db).deleteMany({ sessionId });
}
