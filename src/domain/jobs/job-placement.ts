import type { Connection, Types } from 'mongoose';
import { jobModel } from '../../../models/job';
import { insertBatched } from '../../db/batched-insert';
import { isDuplicateKey } from '../../db/duplicate-key';

/**
 * The `place-callback` jobs of a session, keyed `<session>:place:<attempt>`: writing the same attempt's
 * job twice fails on the unique key, so a retried webhook or a racing sweeper queues it once.
 */

const placeKey = (sessionId: Types.ObjectId, attempt: number) => `${sessionId}:place:${attempt}`;

/**
 * The first attempt's job, written by the incoming-call webhook in the same round as its session and
 * batched with the other webhooks in flight. Rejects with a duplicate key error when already queued.
 */
export function queueFirstPlacement(db: Connection, sessionId: Types.ObjectId, dueAt: Date): Promise<void> {
  return insertBatched(db, jobModel(db), { key: placeKey(sessionId, 1), type: 'place-callback', sessionId, dueAt, state: 'queued' });
}

/** Attempt `attempt`'s job; false when it was queued already (a repeated callback, another sweeper). */
export async function queuePlacement(db: Connection, sessionId: Types.ObjectId, attempt: number, dueAt: Date): Promise<boolean> {
  try {
    await jobModel(db).create({ key: placeKey(sessionId, attempt), type: 'place-callback', sessionId, dueAt, state: 'queued' });
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return false;
  }
}

/** The caller gave up: the session's queued placements will not run (its event deliveries still do). */
export async function cancelQueuedJobs(db: Connection, sessionId: Types.ObjectId): Promise<void> {
  await jobModel(db).updateMany({ sessionId, type: 'place-callback', state: 'queued' }, { $set: { state: 'cancelled' } });
}

/** Whether the session has a placement job (`live`: one queued or running); event deliveries do not count. */
export async function hasJob(db: Connection, sessionId: Types.ObjectId, live = false): Promise<boolean> {
  const type = 'place-callback';
  const found = live ? await jobModel(db).exists({ sessionId, type, state: { $in: ['queued', 'running'] } }) : await jobModel(db).exists({ sessionId, type });
  return found !== null;
}
