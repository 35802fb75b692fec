import assert from 'node:assert/strict';
import type { Types } from 'mongoose';
import { callbackLockModel } from '../../models/callback-lock';
import { jobModel } from '../../models/job';
import { placeCallbackHandler } from '../../src/callflow/place-callback';
import { backoffMs, JobRunner } from '../../src/jobs/job-runner';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { createTwilioClient } from '../../src/twilio/rest-client';
import { CALLER, CALLER_PIN, CallflowRig, NUMBER, sessionOf } from '../support/callflow';
import { testDb } from '../support/database';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/harness';

/**
 * Issue 6, "Twilio REST answering 500 or timing out: retries with backoff, no duplicate call".
 * In process, on the manual clock, against the REST stand-in (real SDK, real HTTP on loopback).
 */

/** How long the service's Twilio client waits for a REST answer in these tests (the service's own is 10 s). */
const CLIENT_TIMEOUT_MS = 300;
/** The stand-in answers this late: after the client gave up, so the create's outcome is unknown to the service. */
const LATE_MS = 1_000;
/** place-callback.ts: a create of unknown outcome is looked up on Twilio this long after the attempt started. */
const UNKNOWN_CREATE_GRACE_MS = 20_000;

const jobOf = async (sessionId: Types.ObjectId) => jobModel(testDb()).findOne({ sessionId }).lean();
const created = (rig: CallflowRig) => rig.standin.callsCreated().filter((r) => r.response?.status === 201);
const sidOf = (r: { response?: { body: unknown } }) => String((r.response!.body as { sid: string }).sid);
const events = (s: { timeline: { event: string }[] } | null) => (s?.timeline ?? []).map((e) => e.event);

/** The rig's job runner, but with a Twilio client that gives up after CLIENT_TIMEOUT_MS (real time). */
function useShortRestTimeout(rig: CallflowRig): void {
  const twilio = createTwilioClient({
    accountSid: TEST_ACCOUNT_SID,
    authToken: TEST_AUTH_TOKEN,
    apiBaseUrl: rig.t.deps.config.twilio.apiBaseUrl!,
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  const deps = { ...rig.t.deps, twilio };
  rig.runner = new JobRunner(deps, { 'place-callback': placeCallbackHandler(deps) }, { owner: 'fault-runner' });
}

/** Moves the clock in steps and runs due jobs until `done` holds (or gives up after `maxMs` of manual time). */
async function runUntil(rig: CallflowRig, done: () => Promise<boolean>, stepMs = 1_000, maxMs = 120_000): Promise<number> {
  for (let t = 0; t <= maxMs; t += stepMs) {
    if (await done()) return t;
    await rig.runJobs(stepMs);
  }
  assert.fail('condition not reached');
}

describe('faults: Twilio REST failing', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  describe('answering 500 or 429', () => {
    it('when calls.create answers 500 three times, then the job is retried after 2 s, 4 s and 8 s and exactly one call is created', async () => {
      await rig.seed();
      const ring = await rig.incoming(CALLER);
      const s0 = await sessionOf(ring.callSid);
      rig.standin.failNext(3, { status: 500, code: 20500, message: 'Internal Server Error' });

      const delays: number[] = [];
      const first = await rig.runJobs(); // the reject-to-callback delay
      assert.equal(first.length, 1);
      for (let failure = 0; failure < 3; failure++) {
        const now = rig.t.clock.now().getTime();
        const job = await jobOf(s0!._id);
        assert.equal(job!.state, 'queued');
        assert.equal(job!.tries, failure + 1);
        assert.match(String(job!.lastError), /Internal Server Error/);
        const delay = job!.dueAt.getTime() - now;
        assert.equal(delay, backoffMs(failure));
        delays.push(delay);
        const s = await sessionOf(ring.callSid);
        assert.equal(s!.status, 'queued', 'a 500 is not a placed call');
        assert.equal(s!.callback.attempts, 0, 'a transient REST error counted as a callback attempt');
        // Not a moment early...
        assert.deepEqual(await rig.runJobs(delay - 1), [], `retried before its backoff of ${delay} ms`);
        // ...and then once.
        const retry = await rig.runJobs(1);
        assert.equal(retry.length, 1);
        assert.equal(retry[0]!.response?.status, failure < 2 ? 500 : 201);
      }
      assert.deepEqual(delays, [2_000, 4_000, 8_000]);

      assert.deepEqual(await rig.runJobs(3_600_000), [], 'a create after the call was placed');
      assert.equal(rig.standin.callsCreated().length, 4);
      assert.equal(created(rig).length, 1);
      assert.equal(await jobOf(s0!._id), null, 'the finished job is removed');
      const s = await sessionOf(ring.callSid);
      assert.equal(s!.status, 'calling');
      assert.equal(s!.callback.attempts, 1);
      assert.equal(s!.callback.callSid, sidOf(created(rig)[0]!));
      assert.equal(events(s).filter((e) => e === 'callback-retry-after-error').length, 3);
      assert.equal(events(s).filter((e) => e === 'callback-placed').length, 1);
    });

    it('when calls.create is rate limited (429, 20429), then it is retried with backoff, not given up, and one call is created', async () => {
      await rig.seed();
      const ring = await rig.incoming(CALLER);
      rig.standin.failNext(2, { status: 429, code: 20429, message: 'Too Many Requests' });
      await rig.runJobs();
      const job = await jobOf((await sessionOf(ring.callSid))!._id);
      assert.equal(job!.dueAt.getTime() - rig.t.clock.now().getTime(), 2_000);
      assert.equal((await sessionOf(ring.callSid))!.status, 'queued');
      await rig.runJobs(2_000);
      assert.equal((await jobOf(job!.sessionId))!.dueAt.getTime() - rig.t.clock.now().getTime(), 4_000);
      const placed = await rig.runJobs(4_000);
      assert.equal(placed.length, 1);
      assert.equal(placed[0]!.response?.status, 201);
      assert.deepEqual(
        rig.standin.callsCreated().map((r) => r.response?.status),
        [429, 429, 201],
      );
      const s = await sessionOf(ring.callSid);
      assert.equal(s!.status, 'calling');
      assert.equal(s!.callback.callSid, rig.createdSid());
      // The call goes on as usual.
      const prompt = await rig.answer(placed[0]!, rig.createdSid());
      assert.match(findOne(prompt.tree, 'Gather').attrs.action!, /\/voice\/callback\/pin\?/);
    });

    it('when Twilio answers 500 to every try, then the callback is given up after 8 tries, the lock is freed and nothing was created', async () => {
      await rig.seed();
      const ring = await rig.incoming(CALLER);
      rig.standin.failNext(100, { status: 503, code: 20503, message: 'Service Unavailable' });
      await runUntil(rig, async () => (await sessionOf(ring.callSid))!.status === 'failed', 10_000, 3_600_000);
      assert.equal(rig.standin.callsCreated().length, 8);
      assert.equal(created(rig).length, 0);
      const s = await sessionOf(ring.callSid);
      assert.equal(s!.reason, 'twilio-error-20503');
      assert.equal(await jobOf(s!._id), null);
      assert.equal(await callbackLockModel(testDb()).countDocuments({}), 0);
      // The same caller can be called back again later.
      rig.standin.reset();
      const again = await rig.incoming(CALLER);
      assert.equal((await rig.runJobs()).length, 1);
      assert.equal((await sessionOf(again.callSid))!.status, 'calling');
    });
  });

  describe('timing out (the outcome of the create is unknown)', () => {
    beforeEach(() => useShortRestTimeout(rig));

    it('when calls.create times out but Twilio did create the call, then no second call is placed and the session adopts that CallSid after the grace period', async () => {
      await rig.seed();
      const ring = await rig.incoming(CALLER);
      rig.standin.delayNext(1, LATE_MS);
      const [create] = await rig.runJobs();
      assert.ok(create, 'no create request');
      const startedAt = rig.t.clock.now().getTime();
      const twilioSid = rig.createdSid(); // what Twilio created, the service never heard of it

      let s = await sessionOf(ring.callSid);
      assert.equal(s!.status, 'calling', 'an unknown outcome put back in the queue would be placed again');
      assert.equal(s!.callback.callSid, null);
      assert.equal(s!.callback.attempts, 1);
      assert.ok(events(s).includes('callback-outcome-unknown'), events(s).join(','));
      const job = await jobOf(s!._id);
      assert.equal(job!.state, 'queued');
      assert.equal(job!.dueAt.getTime() - startedAt, backoffMs(0));

      // No status callback reaches the service (lost); the job looks the call up on Twilio after the grace.
      const took = await runUntil(rig, async () => Boolean((await sessionOf(ring.callSid))!.callback.callSid));
      assert.ok(took >= UNKNOWN_CREATE_GRACE_MS, `looked up after ${took} ms, before the grace period`);
      assert.equal(rig.standin.callsCreated().length, 1, 'a second call was placed to the caller');
      s = await sessionOf(ring.callSid);
      assert.equal(s!.callback.callSid, twilioSid);
      assert.ok(events(s).includes('callback-adopted'));
      const lists = rig.standin.requests.filter((r) => r.operationId === 'ListCall');
      assert.ok(lists.length >= 1);
      assert.equal(lists[0]!.query.To, CALLER);
      assert.equal(lists[0]!.query.From, NUMBER);
      assert.equal(await jobOf(s!._id), null);
      assert.deepEqual(await rig.runJobs(3_600_000), []);

      // The adopted call is answered and the conversation goes on.
      const prompt = await rig.answer(create!, twilioSid);
      const dest = await rig.gather(prompt, CALLER_PIN, twilioSid);
      assert.match(findOne(dest.tree, 'Gather').attrs.action!, /\/voice\/callback\/destination\?/);
    });

    it('when the timed-out call reports its status before the job looks, then the session takes its CallSid and the job places nothing', async () => {
      await rig.seed();
      const ring = await rig.incoming(CALLER);
      rig.standin.delayNext(1, LATE_MS);
      const [create] = await rig.runJobs();
      const twilioSid = rig.createdSid();
      await rig.status(create!, twilioSid, 'initiated');
      await rig.status(create!, twilioSid, 'ringing');
      assert.equal((await sessionOf(ring.callSid))!.callback.callSid, twilioSid);
      const answered = await rig.answer(create!, twilioSid);
      assert.match(findOne(answered.tree, 'Gather').attrs.action!, /\/voice\/callback\/pin\?/);
      assert.deepEqual(await rig.runJobs(3_600_000), []);
      assert.equal(rig.standin.callsCreated().length, 1);
      assert.equal(rig.standin.requests.filter((r) => r.operationId === 'ListCall').length, 0, 'asked Twilio though the CallSid was known');
      const s = await sessionOf(ring.callSid);
      assert.equal(s!.status, 'answered');
      assert.equal(await jobOf(s!._id), null);
    });

    it('when the timed-out call is answered before the job looks, then the answer is taken, not hung up', async () => {
      await rig.seed();
      const ring = await rig.incoming(CALLER);
      rig.standin.delayNext(1, LATE_MS);
      const [create] = await rig.runJobs();
      const twilioSid = rig.createdSid();
      const answered = await rig.answer(create!, twilioSid);
      assert.match(findOne(answered.tree, 'Gather').attrs.action!, /\/voice\/callback\/pin\?/, answered.xml);
      assert.deepEqual(await rig.runJobs(3_600_000), []);
      assert.equal(rig.standin.callsCreated().length, 1);
      assert.equal((await sessionOf(ring.callSid))!.callback.callSid, twilioSid);
    });

    it('when a retry attempt times out after an earlier attempt was busy, then the lookup adopts the new call, not the earlier one', async () => {
      await rig.seed({ callback: { retry: { attempts: 2, delaySeconds: 30, ringTimeoutSeconds: 30, detectMachine: true } } });
      const ring = await rig.incoming(CALLER);
      const [first] = await rig.runJobs();
      const firstSid = rig.createdSid();
      await rig.status(first!, firstSid, 'busy');
      rig.standin.setCallState(firstSid, { status: 'busy' });
      assert.equal((await sessionOf(ring.callSid))!.status, 'queued');

      rig.standin.delayNext(1, LATE_MS);
      const [second] = await rig.runJobs(30_000);
      assert.ok(second);
      const secondSid = rig.createdSid();
      assert.notEqual(secondSid, firstSid);
      await runUntil(rig, async () => Boolean((await sessionOf(ring.callSid))!.callback.callSid));
      const s = await sessionOf(ring.callSid);
      assert.equal(s!.callback.callSid, secondSid, 'adopted the busy first attempt: the session would wait forever for its callbacks');
      assert.equal(s!.callback.attempts, 2);
      assert.equal(rig.standin.callsCreated().length, 2);
      const answered = await rig.answer(second!, secondSid);
      assert.match(findOne(answered.tree, 'Gather').attrs.action!, /\/voice\/callback\/pin\?/);
    });

    it("when a late repeat of the earlier attempt's busy callback comes while the retry's outcome is unknown, then it is not taken for the retry's call", async () => {
      await rig.seed({ callback: { retry: { attempts: 2, delaySeconds: 30, ringTimeoutSeconds: 30, detectMachine: true } } });
      const ring = await rig.incoming(CALLER);
      const [first] = await rig.runJobs();
      const firstSid = rig.createdSid();
      await rig.status(first!, firstSid, 'busy');
      rig.standin.delayNext(1, LATE_MS);
      const [second] = await rig.runJobs(30_000);
      const secondSid = rig.createdSid();
      await rig.status(first!, firstSid, 'busy'); // Twilio repeats a callback, late
      let s = await sessionOf(ring.callSid);
      assert.equal(s!.callback.callSid, null, 'took the first attempt for the second');
      assert.equal(s!.status, 'calling');
      await rig.status(second!, secondSid, 'ringing');
      s = await sessionOf(ring.callSid);
      assert.equal(s!.callback.callSid, secondSid);
      const answered = await rig.answer(second!, secondSid);
      assert.match(findOne(answered.tree, 'Gather').attrs.action!, /\/voice\/callback\/pin\?/);
      assert.deepEqual(await rig.runJobs(3_600_000), []);
      assert.equal(rig.standin.callsCreated().length, 2);
    });

    it('when Twilio cannot be reached at all (connection refused), then the callback is placed once Twilio is back, exactly once', async () => {
      await rig.seed();
      const ring = await rig.incoming(CALLER);
      const port = Number(new URL(rig.t.deps.config.twilio.apiBaseUrl!).port);
      await rig.standin.stop();
      await rig.runJobs();
      let s = await sessionOf(ring.callSid);
      assert.equal(s!.callback.callSid, null);
      assert.notEqual(s!.status, 'failed');
      // Twilio is back on the same address.
      const back = new (rig.standin.constructor as typeof import('../../src/twilio-sim/rest-standin').TwilioRestStandin)({
        accountSid: TEST_ACCOUNT_SID,
        authToken: TEST_AUTH_TOKEN,
        port,
      });
      await back.start();
      try {
        await runUntil(rig, async () => Boolean((await sessionOf(ring.callSid))!.callback.callSid));
        const ok = back.callsCreated().filter((r) => r.response?.status === 201);
        assert.equal(ok.length, 1);
        assert.equal(back.callsCreated().length, 1);
        s = await sessionOf(ring.callSid);
        assert.equal(s!.callback.callSid, sidOf(ok[0]!));
        assert.equal(s!.callback.attempts, 1);
        assert.deepEqual(await rig.runJobs(3_600_000), []);
        assert.equal(back.callsCreated().length, 1);
        back.assertNoViolations();
      } finally {
        await back.stop();
      }
    });
  });
});
