import assert from 'node:assert/strict';
import mongoose, { Types } from 'mongoose';
import pino from 'pino';
import { jobModel, type JobDoc } from '../../models/job';
import { systemClock } from '../../src/clock';
import { JobRunner } from '../../src/jobs/job-runner';
import { testDb, testDbUri } from '../support/database';

async function queueJobs(n: number): Promise<void> {
  const now = new Date(Date.now() - 1_000);
  await jobModel(testDb()).insertMany(
    Array.from({ length: n }, () => {
      const sessionId = new Types.ObjectId();
      return { key: `${sessionId}:place:1`, type: 'place-callback', sessionId, dueAt: now, state: 'queued' };
    }),
  );
}

describe('job runner: batches, parallel runs and the background loop', () => {
  it('when three runners share 120 due jobs, then each job runs exactly once and finished jobs are removed', async () => {
    await queueJobs(120);
    const seen: string[] = [];
    const handler = async (job: JobDoc) => {
      seen.push(String(job._id));
      await new Promise((r) => setTimeout(r, 5));
      return { state: 'done' as const };
    };
    const deps = { db: testDb(), clock: systemClock, logger: pino({ level: 'silent' }) };
    const runners = [1, 2, 3].map((i) => new JobRunner(deps, { 'place-callback': handler }, { owner: `r${i}`, concurrency: 10, random: Math.random }));
    const ran = await Promise.all(runners.map((r) => r.runDue()));
    assert.equal(
      ran.reduce((a, b) => a + b, 0),
      120,
    );
    assert.equal(seen.length, 120);
    assert.equal(new Set(seen).size, 120);
    assert.equal(await jobModel(testDb()).countDocuments({}), 0);
  });

  it('when more jobs are due than one tick runs, then the background loop goes on at once, not after its poll interval', async () => {
    await queueJobs(250);
    let done = 0;
    const runner = new JobRunner(
      { db: testDb(), clock: systemClock, logger: pino({ level: 'silent' }) },
      {
        'place-callback': async () => {
          done++;
          return { state: 'done' as const };
        },
      },
      { owner: 'loop', pollMs: 60_000 },
    );
    runner.start();
    try {
      const deadline = Date.now() + 15_000;
      while (done < 250 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(done, 250, 'a poll interval of 60 s would have stopped the loop after 100');
    } finally {
      await runner.stop();
    }
  });

  it('when a job fails with an exception, then it is queued again with backoff and its lease token cleared', async () => {
    await queueJobs(1);
    const runner = new JobRunner(
      { db: testDb(), clock: systemClock, logger: pino({ level: 'silent' }) },
      {
        'place-callback': async () => {
          throw new Error('boom');
        },
      },
      { owner: 'failing' },
    );
    const before = Date.now();
    assert.equal(await runner.runDue(), 1);
    const job = await jobModel(testDb()).findOne({}).lean();
    assert.equal(job?.state, 'queued');
    assert.equal(job?.tries, 1);
    assert.equal(job?.leaseToken, null);
    assert.ok(job!.dueAt.getTime() >= before + 2_000);
  });

  it('when a job ran but its outcome cannot be recorded (the database went away), then nothing is left unhandled, the next claim fails plainly, and the job stays for its lease to hand back', async () => {
    await queueJobs(1);
    const { uri, dbName } = testDbUri();
    const own = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 500 }).asPromise();
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const runner = new JobRunner(
        { db: own, clock: systemClock, logger: pino({ level: 'silent' }) },
        // The job's work is done, then the runner's database connection is gone before it records that.
        {
          'place-callback': async () => {
            await own.close(true);
            return { state: 'done' as const };
          },
        },
        { owner: 'cut-off' },
      );
      // The job in hand is waited for; the claim after it finds no database and says so.
      await assert.rejects(runner.runDue(), /closed/);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(unhandled, []);
      const job = await jobModel(testDb()).findOne({}).lean();
      assert.equal(job?.state, 'running', 'the job was not removed: its lease hands it back');
      assert.equal(job?.leaseOwner, 'cut-off');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
