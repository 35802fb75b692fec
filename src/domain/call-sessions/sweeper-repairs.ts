import type { Connection, Types } from 'mongoose';
import { callbackLockModel } from '../../../models/callback-lock';
import { callSessionModel } from '../../../models/call-session';
import { hasJob, queuePlacement } from '../jobs/job-placement';
import { releaseCallbackLock, timelineEntry } from './session-events';

/**
 * The sweeper's repairs of sessions and locks (src/callflow/sweeper.ts runs them): what a crash between
 * two writes left behind. Each is idempotent, in batches of `batch`; several instances may run them at once.
 */

const FINAL = ['refused', 'completed', 'cancelled', 'failed'];

/** Locks of finished (or missing) sessions, and locks older than `olderThan`, are released. */
export async function releaseStaleLocks(db: Connection, olderThan: Date, batch: number): Promise<number> {
  const locks = await callbackLockModel(db).find({}).sort({ createdAt: 1 }).limit(batch).lean();
  let released = 0;
  for (const lock of locks) {
    const s = await callSessionModel(db).findById(lock.sessionId, { status: 1 }).lean();
    if (!s || FINAL.includes(s.status) || lock.createdAt < olderThan) {
      await callbackLockModel(db).deleteOne({ _id: lock._id, sessionId: lock.sessionId });
      released++;
    }
  }
  return released;
}

/** A session that is queued (or scheduled and overdue) with no live job (a crash between writes) gets its job back; one stuck ringing ends. */
export async function requeueOrphans(db: Connection, now: Date, batch: number): Promise<number> {
  const cutoff = new Date(now.getTime() - 60_000);
  let repaired = 0;
  const ringing = await callSessionModel(db)
    .find({ status: 'ringing', ringEndsAt: { $lt: cutoff } })
    .limit(batch)
    .lean();
  for (const s of ringing) {
    if (await hasJob(db, s._id)) {
      await callSessionModel(db).updateOne({ _id: s._id, status: 'ringing' }, { $set: { status: 'queued' } });
    } else {
      await callSessionModel(db).updateOne(
        { _id: s._id, status: 'ringing' },
        { $set: { status: 'failed', reason: 'interrupted' }, $push: { timeline: timelineEntry(now, 'interrupted', {}) } },
      );
      await releaseCallbackLock(db, s._id);
    }
    repaired++;
  }
  const queued = await callSessionModel(db)
    .find({ status: 'queued', updatedAt: { $lt: cutoff } })
    .limit(batch)
    .lean();
  // A scheduled callback past its time whose job is gone (a crash between the session and its job).
  const overdue = await callSessionModel(db)
    .find({ status: 'scheduled', 'requested.dueAt': { $lt: cutoff } })
    .limit(batch)
    .lean();
  for (const s of [...queued, ...overdue]) {
    if (await hasJob(db, s._id, true)) continue;
    if (await queuePlacement(db, s._id, s.callback.attempts + 1, now)) repaired++;
  }
  return repaired;
}

/** The timeline entry of a dial reservation the sweeper settled (its <Dial action> never came). */
export async function recordSettledBySweeper(db: Connection, sessionId: Types.ObjectId, now: Date, detail: { reservationId: string; duration: number }): Promise<void> {
  await callSessionModel(db).updateOne({ _id: sessionId }, { $push: { timeline: timelineEntry(now, 'settled-by-sweeper', detail) } });
}

/** The current callback attempt's CallSid (the parent of the session's dials), or null. */
export async function callbackCallSidOf(db: Connection, sessionId: Types.ObjectId): Promise<string | null> {
  const session = await callSessionModel(db).findById(sessionId, { 'callback.callSid': 1 }).lean();
  return session?.callback.callSid ?? null;
}
