import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { dueJobIds, leaseJobs, removeFinishedJobs, rescheduleJob, type JobDoc } from '../domain/jobs/job-queue';
import { GroupBatcher } from '../db/group-batcher';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics/metrics';

export type JobOutcome =
  | { state: 'done' | 'failed' | 'cancelled'; error?: string }
  /** `countsAsTry: false`: waiting for something (not a failure), so it does not use up the tries. */
  | { retryAt: Date; error: string; countsAsTry?: boolean };
export type JobHandler = (job: JobDoc) => Promise<JobOutcome>;

export interface JobRunnerOptions {
  /** Identifies this instance in leases. */
  owner?: string;
  /** A job claimed by an instance that died is taken over when its lease expires. */
  leaseMs?: number;
  pollMs?: number;
  /** Jobs run at once by this instance (default 50): 500 callbacks due together are placed in parallel. */
  concurrency?: number;
  /** Spreads instances over the due jobs so they rarely race for the same one; injected for tests. */
  random?: () => number;
}

/**
 * Runs durable jobs from MongoDB. A claim is an atomic conditional update by `_id`: a job due and
 * queued, or running under an expired lease, becomes running for this owner only (per document, as on
 * MongoDB), so several instances on one database never run the same job at once. The jobs an instance
 * won run in parallel.
 */
export class JobRunner {
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /**
   * Finished jobs are removed together, one command per batch, under the claims that ran them (a job
   * another instance took over after its lease ended has another token and stays).
   */
  private readonly finished = new GroupBatcher<JobDoc, void>(async (jobs) => {
    await removeFinishedJobs(this.deps.db, jobs);
    return jobs.map(() => undefined);
  });

  constructor(
    /** `metrics`: the service's (AppDeps); a runner built for a test may go without. */
    private readonly deps: { db: Connection; clock: Clock; logger: Logger; metrics?: Pick<ServiceMetrics, 'jobStarted'> },
    private readonly handlers: Partial<Record<JobDoc['type'], JobHandler>>,
    opts: JobRunnerOptions = {},
  ) {
    this.owner = opts.owner ?? `runner-${randomUUID()}`;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 500;
    this.concurrency = Math.max(1, opts.concurrency ?? 50);
    this.random = opts.random ?? Math.random;
  }

  /**
   * Claims up to `max` due jobs in three commands: the oldest candidates (shuffled, so that instances
   * rarely ask for the same ones), one conditional updateMany by `_id` that takes those still due, and a
   * read of what this round's lease token won.
   */
  async claimBatch(max: number): Promise<JobDoc[]> {
    const now = this.deps.clock.now();
    const candidates = await dueJobIds(this.deps.db, now, max * 4);
    if (candidates.length === 0) return [];
    const picked = candidates
      .map((id) => ({ id, key: this.random() }))
      .sort((a, b) => a.key - b.key)
      .slice(0, max)
      .map((c) => c.id);
    const leaseToken = randomUUID();
    return leaseJobs(this.deps.db, picked, now, { owner: this.owner, until: new Date(now.getTime() + this.leaseMs), token: leaseToken });
  }

  /**
   * Claims and runs due jobs until none is left (or `limit` ran); returns how many ran. Up to
   * `concurrency` run at once; once a batch is out, slots are refilled when half of them are free.
   */
  async runDue(limit = 1_000): Promise<number> {
    let ran = 0;
    const running = new Set<Promise<void>>();
    try {
      while (!this.stopped && ran < limit) {
        const room = Math.min(this.concurrency - running.size, limit - ran);
        const jobs = room > 0 ? await this.claimBatch(room) : [];
        for (const job of jobs) {
          const p: Promise<void> = this.execute(job).finally(() => running.delete(p));
          running.add(p);
        }
        ran += jobs.length;
        if (running.size === 0) break; // nothing due, nothing running
        if (jobs.length === 0) await Promise.race(running);
        // Refill by half batches: a claim costs three commands (one a scan on the embedded database).
        while (running.size > this.concurrency / 2) await Promise.race(running);
      }
    } finally {
      // A failed claim (the database went away) still waits for the jobs in hand.
      await Promise.allSettled(running);
    }
    return ran;
  }

  /** Runs one job and records its outcome; never rejects (a job whose outcome is not recorded is taken back when its lease ends). */
  private async execute(job: JobDoc): Promise<void> {
    // The lag is the queue's delay as the service's clock tells it: due, then started here.
    this.deps.metrics?.jobStarted(job.type, (this.deps.clock.now().getTime() - job.dueAt.getTime()) / 1000);
    try {
      await this.runAndRecord(job);
    } catch (err) {
      this.deps.logger.error({ err, jobId: String(job._id) }, 'job outcome not recorded; its lease will expire and it runs again');
    }
  }

  private async runAndRecord(job: JobDoc): Promise<void> {
    const handler = this.handlers[job.type];
    let outcome: JobOutcome;
    try {
      outcome = handler ? await handler(job) : { state: 'failed', error: `no handler for ${job.type}` };
    } catch (err) {
      this.deps.logger.error({ err, jobId: String(job._id), sessionId: String(job.sessionId) }, 'job failed with an exception; retrying');
      outcome = { retryAt: new Date(this.deps.clock.now().getTime() + backoffMs(job.tries)), error: String((err as Error).message) };
    }
    if (!('retryAt' in outcome)) {
      // Finished jobs are removed: the claim query scans the live jobs only (on the embedded FerretDB
      // every filter but _id scans), and the session's timeline already tells what happened.
      if (outcome.state !== 'done') {
        this.deps.logger.warn({ jobId: String(job._id), sessionId: String(job.sessionId), state: outcome.state, error: outcome.error }, 'job ended');
      }
      await this.finished.submit(job);
      return;
    }
    await rescheduleJob(this.deps.db, job, { at: outcome.retryAt, error: outcome.error, countsAsTry: outcome.countsAsTry !== false });
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      let more = false;
      this.running = this.runDue(TICK_LIMIT)
        // A full tick means more may be due: go on at once rather than after a poll interval.
        .then((ran) => void (more = ran >= TICK_LIMIT))
        .catch((err) => this.deps.logger.error({ err }, 'job runner tick failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, more ? 0 : this.pollMs);
        });
    };
    tick();
  }

  /** Stops polling and waits for the jobs in hand (their leases would otherwise hold them for a while). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

/** Jobs per tick of the background loop; between ticks, stop() can take effect. */
const TICK_LIMIT = 100;

/** 2 s, 4 s, 8 s ... at most a minute: transient Twilio failures are retried without hammering it. */
export function backoffMs(tries: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.min(tries, 10));
}
