import type { Connection, Types } from 'mongoose';
import { callSessionModel, type SessionStatus } from '../../../models/call-session';
import { conflict, notFound } from '../../errors';
import { cancelQueuedJobs } from '../jobs/job-placement';
import { releaseCallbackLock, timelineEntry } from './session-events';

/** A callback not placed yet: a cancel still stops it. */
const CANCELLABLE: SessionStatus[] = ['queued', 'scheduled'];

/**
 * Cancels a queued or scheduled callback (`DELETE /api/callbacks/:id`). The status moves first, with a
 * conditional update: the placement job moves the same session from queued to calling the same way,
 * so exactly one of the two wins. Then its jobs and its lock go. 409 once it is placed (or over).
 */
export async function cancelCallback(db: Connection, scope: { clientId?: Types.ObjectId }, id: Types.ObjectId, now: Date): Promise<void> {
  const sessions = callSessionModel(db);
  const moved = await sessions.updateOne(
    { _id: id, ...scope, status: { $in: CANCELLABLE } },
    { $set: { status: 'cancelled', reason: 'callback-cancelled' }, $push: { timeline: timelineEntry(now, 'callback-cancelled', {}) } },
  );
  if (moved.modifiedCount === 0) {
    const current = await sessions.findOne({ _id: id, ...scope }, { status: 1 }).lean();
    if (!current) throw notFound('callback');
    throw conflict(`the callback is ${current.status}: only a queued or scheduled callback can be cancelled`, 'callback-not-cancellable');
  }
  await Promise.all([cancelQueuedJobs(db, id), releaseCallbackLock(db, id)]);
}
