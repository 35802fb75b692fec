import type { Connection, Types } from 'mongoose';
import { jobModel, type JobDoc } from '../../../models/job';

export type { JobDoc };

/**
 * The durable job queue's store (models/job.ts); src/jobs/job-runner.ts holds the rules (which jobs, how
 * many, in which order, what a retry costs). A claim is an atomic conditional update by `_id`: a job due
 * and queued, or running under an expired lease, becomes running for one lease token only.
 */

const dueFilter = (now: Date) => ({
  $or: [
    { state: 'queued' as const, dueAt: { $lte: now } },
    { state: 'running' as const, leaseUntil: { $lt: now } },
  ],
});

/** The ids of the oldest due jobs, at most `limit`. */
export async function dueJobIds(db: Connection, now: Date, limit: number): Promise<Types.ObjectId[]> {
  const candidates = await jobModel(db).find(dueFilter(now), { _id: 1 }).sort({ dueAt: 1 }).limit(limit).lean();
  return candidates.map((c) => c._id);
}

/**
 * Takes those of `ids` still due under `lease` (one conditional updateMany), then reads what this lease
 * token won, oldest first. Empty when another instance took them all.
 */
export async function leaseJobs(db: Connection, ids: Types.ObjectId[], now: Date, lease: { owner: string; until: Date; token: string }): Promise<JobDoc[]> {
  const jobs = jobModel(db);
  const took = await jobs.updateMany(
    { _id: { $in: ids }, ...dueFilter(now) },
    { $set: { state: 'running', leaseOwner: lease.owner, leaseUntil: lease.until, leaseToken: lease.token } },
  );
  if (took.modifiedCount === 0) return [];
  const won = await jobs.find({ _id: { $in: ids }, leaseToken: lease.token }).lean();
  return won.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/**
 * Removes finished jobs in one command, under the claims that ran them (a job another instance took
 * over after its lease ended has another token and stays).
 */
export async function removeFinishedJobs(db: Connection, jobs: Pick<JobDoc, '_id' | 'leaseToken'>[]): Promise<void> {
  await jobModel(db).deleteMany({ _id: { $in: jobs.map((j) => j._id) }, leaseToken: { $in: jobs.map((j) => j.leaseToken) } });
}

/** Queues the job again for `retryAt`, only while this claim still holds it. */
export async function rescheduleJob(db: Connection, job: Pick<JobDoc, '_id' | 'leaseToken'>, retry: { at: Date; error: string; countsAsTry: boolean }): Promise<void> {
  await jobModel(db).updateOne(
    { _id: job._id, leaseToken: job.leaseToken, state: 'running' },
    {
      $set: { state: 'queued', dueAt: retry.at, lastError: retry.error, leaseOwner: null, leaseUntil: null, leaseToken: null },
      $inc: { tries: retry.countsAsTry ? 1 : 0 },
    },
  );
}
