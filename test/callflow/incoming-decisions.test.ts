import assert from 'node:assert/strict';
import { callbackLockModel } from '../../models/callback-lock';
import { callSessionModel } from '../../models/call-session';
import { jobModel } from '../../models/job';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { type Answer, callSid, CALLER, CallflowRig, NUMBER, STRANGER } from '../support/callflow';
import { testDb } from '../support/database';
import { TEST_ACCOUNT_SID } from '../support/harness';

/** Issue 4, behaviour 1: who gets a callback, and every caller rings the same time before the busy reject. */

const FIXED = '+14155550123';
const OTHER = '+12025550177';

const sessionOf = (sid: string) => callSessionModel(testDb()).findOne({ inboundCallSid: sid }).lean();

/** true when `p` settles within `ms` of real time (the manual clock does not move meanwhile). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

function incomingParams(from: string, sid: string, to = NUMBER): Record<string, string> {
  return { CallSid: sid, AccountSid: TEST_ACCOUNT_SID, From: from, To: to, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' };
}

/**
 * An incoming call whose answer must be held for exactly the ring time: still pending while the
 * manual clock stands still and 1 ms before the ring ends, answered once it has passed.
 */
async function ringHeld(rig: CallflowRig, from: string, sid = callSid()): Promise<Answer & { callSid: string }> {
  const pending = rig.post('/voice/incoming', incomingParams(from, sid));
  for (let i = 0; i < 400 && rig.t.clock.pendingSleeps === 0; i++) {
    if (await settlesWithin(pending, 5)) break;
  }
  assert.equal(await settlesWithin(pending, 150), false, `the answer to ${from || '(empty)'} was not held`);
  rig.t.clock.advance(rig.ringMs - 1);
  assert.equal(await settlesWithin(pending, 100), false, `the answer to ${from || '(empty)'} came before the ring time`);
  rig.t.clock.advance(1);
  const answer = await pending;
  assertBusyReject(answer);
  return { ...answer, callSid: sid };
}

function assertBusyReject(a: Answer): void {
  assert.equal(a.tree.children.length, 1, a.xml);
  assert.equal(findOne(a.tree, 'Reject').attrs.reason, 'busy');
}

async function assertRefused(sid: string, reason: string): Promise<void> {
  const s = await sessionOf(sid);
  assert.ok(s, 'no session stored');
  assert.equal(s.status, 'refused');
  assert.equal(s.reason, reason);
  const decisions = s.timeline.filter((e) => e.event === 'decision');
  assert.equal(decisions.at(-1)?.detail.reason, reason, JSON.stringify(s.timeline));
  assert.equal(decisions.at(-1)?.detail.callback, false);
  assert.equal(await jobModel(testDb()).countDocuments({ sessionId: s._id }), 0, 'a refused call has a callback job');
}

async function assertCallbackQueued(sid: string, target: string): Promise<void> {
  const s = await sessionOf(sid);
  assert.ok(s, 'no session stored');
  assert.equal(s.status, 'queued');
  assert.equal(s.reason, 'callback');
  assert.equal(s.target, target);
  assert.equal(await jobModel(testDb()).countDocuments({ sessionId: s._id, type: 'place-callback' }), 1);
}

describe('call flow: incoming call decisions', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  describe('returnCalls "authorized"', () => {
    it('when an authorized caller ID rings, then it is held for the ring time, rejected busy and called back', async () => {
      await rig.seed({ callback: { returnCalls: 'authorized' } });
      const ring = await ringHeld(rig, CALLER);
      await assertCallbackQueued(ring.callSid, CALLER);
      const [create] = await rig.runJobs();
      assert.equal(create?.params.To, CALLER);
      assert.equal(create?.params.From, NUMBER);
    });

    it('when a stranger rings, then it rings just as long, is rejected busy, and gets no callback (caller-not-authorized)', async () => {
      await rig.seed({ callback: { returnCalls: 'authorized' } });
      const ring = await ringHeld(rig, STRANGER);
      await assertRefused(ring.callSid, 'caller-not-authorized');
      assert.deepEqual(await rig.runJobs(60_000), []);
    });
  });

  describe('returnCalls "caller"', () => {
    it('when any visible caller rings, then it is called back on its own number', async () => {
      await rig.seed({ callback: { returnCalls: 'caller', requireCallerPassword: false } });
      const ring = await ringHeld(rig, STRANGER);
      await assertCallbackQueued(ring.callSid, STRANGER);
      const creates = await rig.runJobs();
      assert.deepEqual(
        creates.map((c) => c.params.To),
        [STRANGER],
      );
    });

    for (const from of ['anonymous', 'Anonymous', 'Restricted', '+266696687', '+7378742833', '+86282452253', '+8656696', '+2562533', '']) {
      it(`when the caller ID is withheld as "${from}", then it rings the same time and gets no callback (caller-hidden)`, async () => {
        await rig.seed({ callback: { returnCalls: 'caller', requireCallerPassword: false } });
        const ring = await ringHeld(rig, from);
        await assertRefused(ring.callSid, 'caller-hidden');
        assert.equal((await sessionOf(ring.callSid))!.target, null);
        assert.deepEqual(await rig.runJobs(60_000), []);
      });
    }
  });

  describe('returnCalls "fixed"', () => {
    for (const [who, from] of [
      ['a stranger', STRANGER],
      ['a hidden caller', 'anonymous'],
      ['an authorized caller ID', CALLER],
    ] as const) {
      it(`when ${who} rings, then the callback goes to the fixed number`, async () => {
        await rig.seed({ callback: { returnCalls: 'fixed', fixedNumber: FIXED, requireCallerPassword: false } });
        const ring = await ringHeld(rig, from);
        await assertCallbackQueued(ring.callSid, FIXED);
        const creates = await rig.runJobs();
        assert.deepEqual(
          creates.map((c) => [c.params.To, c.params.From]),
          [[FIXED, NUMBER]],
        );
      });
    }
  });

  it('when a number that rings back to no extension is called, then it is rejected at once ("rejected"), without a hold or a session', async () => {
    await rig.seed();
    const pending = rig.post('/voice/incoming', incomingParams(CALLER, callSid(), '+442071838799'));
    assert.equal(await settlesWithin(pending, 2_000), true, 'the answer was held');
    const a = await pending;
    assert.equal(a.tree.children.length, 1);
    assert.equal(findOne(a.tree, 'Reject').attrs.reason, 'rejected');
    assert.equal(rig.t.clock.pendingSleeps, 0);
    assert.equal(await callSessionModel(testDb()).countDocuments({}), 0);
  });

  describe('refusals for credit, state and limits (each still rings the full time)', () => {
    it('when the authorized caller ID is disabled, then no callback (authorized-caller-disabled)', async () => {
      await rig.seed();
      await rig.admin.patch(`/api/extensions/${rig.extensionId}/authorized-callers/${rig.callerId}`, { enabled: false }).expect(200);
      const ring = await ringHeld(rig, CALLER);
      await assertRefused(ring.callSid, 'authorized-caller-disabled');
      assert.deepEqual(await rig.runJobs(60_000), []);
    });

    it('when the authorized caller ID has limited credit and none left, then no callback (authorized-caller-no-credit)', async () => {
      await rig.seed({ callerCredit: '0.00' });
      const ring = await ringHeld(rig, CALLER);
      await assertRefused(ring.callSid, 'authorized-caller-no-credit');
    });

    it('when the client balance is below one increment of the cheapest rate, then no callback (client-no-credit)', async () => {
      // Cheapest rate: +1 at 0.01/min in a 30 s initial block = 0.0050.
      await rig.seed({ client: { credit: '0.0049' } });
      const ring = await ringHeld(rig, CALLER);
      await assertRefused(ring.callSid, 'client-no-credit');
    });

    it('when the client balance covers exactly one increment of the cheapest rate, then the caller is called back', async () => {
      await rig.seed({ client: { credit: '0.0050' } });
      const ring = await ringHeld(rig, CALLER);
      await assertCallbackQueued(ring.callSid, CALLER);
    });

    it('when the client has maxConcurrentCalls 1 and one active session, then the next caller gets no callback (concurrent-limit)', async () => {
      await rig.seed({ callback: { returnCalls: 'caller', requireCallerPassword: false }, client: { maxConcurrentCalls: 1 } });
      const first = await rig.incoming(STRANGER);
      await assertCallbackQueued(first.callSid, STRANGER);
      const second = await ringHeld(rig, OTHER);
      await assertRefused(second.callSid, 'concurrent-limit');
      const creates = await rig.runJobs();
      assert.deepEqual(
        creates.map((c) => c.params.To),
        [STRANGER],
      );
    });

    it('when the same target calls again while its callback is pending, then no second callback (callback-already-active)', async () => {
      await rig.seed();
      const first = await rig.incoming(CALLER);
      const second = await ringHeld(rig, CALLER);
      await assertCallbackQueued(first.callSid, CALLER);
      await assertRefused(second.callSid, 'callback-already-active');
      assert.equal((await rig.runJobs()).length, 1);
      assert.equal((await rig.runJobs(120_000)).length, 0);
      assert.equal(rig.standin.callsCreated().length, 1);
    });
  });

  describe('the caller gives up during the ring', () => {
    for (const status of ['no-answer', 'canceled']) {
      it(`when the inbound status "${status}" arrives before the ring time is over, then the callback is cancelled and the lock released`, async () => {
        await rig.seed();
        const sid = callSid();
        const pending = rig.post('/voice/incoming', incomingParams(CALLER, sid));
        for (let i = 0; i < 400 && rig.t.clock.pendingSleeps === 0; i++) await new Promise((r) => setTimeout(r, 5));
        rig.t.clock.advance(rig.ringMs / 2);
        await rig.status(null, sid, status);
        rig.t.clock.advance(rig.ringMs);
        await pending;

        const s = await sessionOf(sid);
        assert.equal(s!.status, 'cancelled');
        assert.ok(s!.timeline.some((e) => e.event === 'callback-cancelled'));
        assert.equal(await callbackLockModel(testDb()).countDocuments({}), 0, 'the lock is still held');
        assert.equal(await jobModel(testDb()).countDocuments({ sessionId: s!._id, state: 'queued' }), 0);
        assert.deepEqual(await rig.runJobs(120_000), [], 'a cancelled callback was placed');

        // The same number calls again: it gets its callback.
        const again = await rig.incoming(CALLER);
        await assertCallbackQueued(again.callSid, CALLER);
        const creates = await rig.runJobs();
        assert.deepEqual(
          creates.map((c) => c.params.To),
          [CALLER],
        );
        assert.equal(rig.standin.callsCreated().length, 1);
      });
    }

    it('when the inbound leg reports its final status after the ring (the reject itself), then the callback still happens', async () => {
      await rig.seed();
      const ring = await rig.incoming(CALLER);
      await rig.status(null, ring.callSid, 'busy');
      await assertCallbackQueued(ring.callSid, CALLER);
      assert.equal((await rig.runJobs()).length, 1);
    });
  });

  it('when Twilio posts the same incoming CallSid twice, then one session, one job, one callback and the same answer', async () => {
    await rig.seed();
    const sid = callSid();
    const first = await rig.incoming(CALLER, sid);
    const second = await rig.post('/voice/incoming', incomingParams(CALLER, sid));
    assert.equal(second.xml, first.xml);
    assert.equal(await callSessionModel(testDb()).countDocuments({ inboundCallSid: sid }), 1);
    assert.equal(await jobModel(testDb()).countDocuments({}), 1);
    assert.equal((await rig.runJobs()).length, 1);
    assert.equal((await rig.runJobs(120_000)).length, 0);
  });
});

/** Issue 4, behaviour 2: the callback is retried on busy, no answer, failure or a machine; REST errors are told apart. */
describe('call flow: callback attempts and retries', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  const retry = { attempts: 3, delaySeconds: 30, ringTimeoutSeconds: 25, detectMachine: true };

  it('when the callback leg ends busy, no-answer, then failed, then each retry comes after delaySeconds (not before) and the session fails after the last attempt', async () => {
    await rig.seed({ callback: { retry } });
    const ring = await rig.incoming(CALLER);
    const [first] = await rig.runJobs();
    assert.ok(first);
    assert.equal(first.params.Timeout, '25');
    assert.equal(first.params.MachineDetection, 'Enable');

    let create = first;
    for (const [i, outcome] of (['busy', 'no-answer'] as const).entries()) {
      const sid = rig.createdSid();
      await rig.status(create, sid, 'initiated');
      await rig.status(create, sid, outcome);
      const s = await sessionOf(ring.callSid);
      assert.equal(s!.status, 'queued', `after ${outcome}`);
      assert.equal(s!.callback.attempts, i + 1);
      assert.deepEqual(await rig.runJobs(29_000), [], `retried before delaySeconds after ${outcome}`);
      const next = await rig.runJobs(1_000);
      assert.equal(next.length, 1, `no retry after ${outcome}`);
      assert.equal(next[0]!.params.To, CALLER);
      assert.equal(next[0]!.params.From, NUMBER);
      create = next[0]!;
    }
    await rig.status(create, rig.createdSid(), 'failed');
    const s = await sessionOf(ring.callSid);
    assert.equal(s!.status, 'failed');
    assert.equal(s!.reason, 'callback-failed');
    assert.equal(s!.callback.attempts, 3);
    assert.deepEqual(await rig.runJobs(3_600_000), [], 'more attempts than retry.attempts');
    assert.equal(rig.standin.callsCreated().length, 3);
    assert.equal(await callbackLockModel(testDb()).countDocuments({}), 0, 'a failed session still holds the lock');
  });

  it('when a late status of an earlier attempt arrives, then it does not schedule another attempt', async () => {
    await rig.seed({ callback: { retry } });
    await rig.incoming(CALLER);
    const [first] = await rig.runJobs();
    const firstSid = rig.createdSid();
    await rig.status(first!, firstSid, 'busy');
    await rig.runJobs(30_000);
    await rig.status(first!, firstSid, 'busy'); // Twilio's repeat of the first attempt's final status
    assert.deepEqual(await rig.runJobs(60_000), []);
    assert.equal(rig.standin.callsCreated().length, 2);
  });

  it('when a machine answers the callback (AnsweredBy=machine_start), then the answer is <Hangup/> and it counts as no answer: retried', async () => {
    await rig.seed({ callback: { retry } });
    const ring = await rig.incoming(CALLER);
    const [create] = await rig.runJobs();
    const sid = rig.createdSid();
    const answer = await rig.answer(create!, sid, 'machine_start');
    assert.deepEqual(
      answer.tree.children.map((c) => c.name),
      ['Hangup'],
    );
    await rig.status(create!, sid, 'completed', { CallDuration: '3', AnsweredBy: 'machine_start' });
    const s = await sessionOf(ring.callSid);
    assert.equal(s!.status, 'queued');
    assert.ok(s!.timeline.some((e) => e.event === 'callback-machine'));
    assert.deepEqual(await rig.runJobs(29_000), []);
    assert.equal((await rig.runJobs(1_000)).length, 1);
  });

  it('when the machine answers every attempt, then the session fails as answered by a machine', async () => {
    await rig.seed({ callback: { retry: { ...retry, attempts: 2 } } });
    const ring = await rig.incoming(CALLER);
    let [create] = await rig.runJobs();
    for (let i = 0; i < 2; i++) {
      const sid = rig.createdSid();
      await rig.answer(create!, sid, 'machine_start');
      await rig.status(create!, sid, 'completed');
      if (i === 0) [create] = await rig.runJobs(30_000);
    }
    const s = await sessionOf(ring.callSid);
    assert.equal(s!.status, 'failed');
    assert.equal(s!.reason, 'callback-answered-by-machine');
    assert.equal(rig.standin.callsCreated().length, 2);
  });

  it('when Twilio refuses the callback with a permanent error (400, 21211), then the session fails with twilio-error-21211 and it is not retried', async () => {
    await rig.seed({ callback: { retry } });
    const ring = await rig.incoming(CALLER);
    rig.standin.failNext(1, { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const creates = await rig.runJobs();
    assert.equal(creates.length, 1);
    assert.equal(creates[0]!.response?.status, 400);
    const s = await sessionOf(ring.callSid);
    assert.equal(s!.status, 'failed');
    assert.equal(s!.reason, 'twilio-error-21211');
    assert.ok(
      s!.timeline.some((e) => e.event === 'callback-failed' && e.detail.code === 21211),
      JSON.stringify(s!.timeline),
    );
    assert.deepEqual(await rig.runJobs(3_600_000), []);
    assert.equal(await callbackLockModel(testDb()).countDocuments({}), 0);
  });

  it('when Twilio fails the create transiently (500), then it is retried with a backoff and exactly one call is placed', async () => {
    await rig.seed({ callback: { retry } });
    const ring = await rig.incoming(CALLER);
    rig.standin.failNext(1, { status: 500 });
    const failed = await rig.runJobs();
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.response?.status, 500);
    assert.equal((await sessionOf(ring.callSid))!.status, 'queued');
    assert.deepEqual(await rig.runJobs(1_000), [], 'retried without a backoff');
    const retried = await rig.runJobs(1_500);
    assert.equal(retried.length, 1);
    assert.equal(retried[0]!.response?.status, 201);
    assert.deepEqual(await rig.runJobs(3_600_000), []);
    const ok = rig.standin.callsCreated().filter((c) => c.response?.status === 201);
    assert.equal(ok.length, 1);
    const s = await sessionOf(ring.callSid);
    assert.equal(s!.status, 'calling');
    assert.equal(s!.callback.attempts, 1, 'a transient REST error counted as a callback attempt');
    assert.equal(s!.callback.callSid, rig.createdSid());
  });
});
