import type { Connection } from 'mongoose';
import { jobModel } from '../../../models/job';

/** How long the scrape-time counts may run on the server before it gives up (a bound, not a target). */
const MAX_TIME_MS = 2_000;

/**
 * The job queue's depth for the metrics: live jobs (finished ones are removed) per state and type, and
 * the queued ones already due, per type. Two `$group` commands whose answers are a handful of rows,
 * whatever the queue's length.
 */
export async function countLiveJobs(db: Connection, now: Date): Promise<{ byState: { state: string; type: string; count: number }[]; due: { type: string; count: number }[] }> {
  const jobs = jobModel(db);
  const [byState, due] = await Promise.all([
    jobs
      .aggregate<{ _id: { state: string; type: string }; count: number }>([{ $group: { _id: { state: '$state', type: '$type' }, count: { $sum: 1 } } }])
      .option({ maxTimeMS: MAX_TIME_MS }),
    jobs
      .aggregate<{ _id: string; count: number }>([{ $match: { state: 'queued', dueAt: { $lte: now } } }, { $group: { _id: '$type', count: { $sum: 1 } } }])
      .option({ maxTimeMS: MAX_TIME_MS }),
  ]);
  return {
    byState: byState.map((r) => ({ state: r._id.state, type: r._id.type, count: r.count })),
    due: due.map((r) => ({ type: r._id, count: r.count })),
  };
}
