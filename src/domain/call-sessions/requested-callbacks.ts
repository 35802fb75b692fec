import type { Connection, Types } from 'mongoose';
import { callSessionModel, type SessionStatus } from '../../../models/call-session';
import { conflict, notFound } from '../../errors';
import { failedEvent } from '../events/call-events';
import { emitCallEvent } from '../events/emit';
import { cancelQueuedJobs } from '../jobs/job-placement';
import { settleCallbackAttempt } from '../reservations/callback-leg';
import { releaseCallbackLock, timelineEntry } from './session-events';

/** A callback not placed yet: a cancel still stops it. */
const CANCELLABLE: SessionStatus[] = ['queued', 'scheduled'];

/**
 * Cancels a queued or scheduled callback (`DELETE /api/callbacks/:id`). The status moves first, with a
 * conditional update: the placement job moves the same session from queued to calling the same way,
 * so exactly one of the two wins. Then its jobs and its lock go, and what an earlier attempt still
 * holds (a callback queued again after a Twilio error) goes back; `callback.failed` tells the client's
 * systems it will not come. 409 once it is placed (or over).
 */
export async function cancelCallback(db: Connection, scope: { clientId?: Types.ObjectId }, id: Types.ObjectId, now: Date): Promise<void> {
  const sessions = callSessionModel(db);
  const cancelled = await sessions
    .findOneAndUpdate(
      { _id: id, ...scope, status: { $in: CANCELLABLE } },
      { $set: { status: 'cancelled', reason: 'callback-cancelled' }, $push: { timeline: timelineEntry(now, 'callback-cancelled', {}) } },
      // No projection: the embedded FerretDB does not take one on findAndModify.
      { returnDocument: 'before' },
    )
    .lean();
  if (!cancelled) {
    const current = await sessions.findOne({ _id: id, ...scope }, { status: 1 }).lean();
    if (!current) throw notFound('callback');
    throw conflict(`the callback is ${current.status}: only a queued or scheduled callback can be cancelled`, 'callback-not-cancellable');
  }
  const attempts = cancelled.callback?.attempts ?? 0;
  await Promise.all([
    cancelQueuedJobs(db, id),
    releaseCallbackLock(db, id),
    // A callback queued again after a Twilio error keeps its attempt's hold (attempts was counted back).
    settleCallbackAttempt(db, id, attempts + 1, { duration: 0, callSid: null }, now),
    emitCallEvent(db, failedEvent(cancelled, 'callback-cancelled', attempts, now)),
  ]);
}
