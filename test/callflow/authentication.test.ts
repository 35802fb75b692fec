import assert from 'node:assert/strict';
import { callbackLockModel } from '../../models/callback-lock';
import { lockoutModel } from '../../models/lockout';
import { findAll, findOne } from '../../src/twilio-sim/twiml-parse';
import { type Answer, CALLER, CALLER_PIN, callSid, CallflowRig, NUMBER, says, STRANGER, sessionOf } from '../support/callflow';
import { testDb } from '../support/database';
import { TEST_ACCOUNT_SID } from '../support/harness';

/** Issue 4, behaviours 3 and 4: who must enter which password, three tries, and the lockout against guessing. */

const EXT_PASSWORD = '2468';
const HOUR = 3_600_000;

function assertPinPrompt(a: Answer): void {
  const g = findOne(a.tree, 'Gather');
  assert.equal(g.attrs.finishOnKey, '#');
  assert.equal(g.attrs.action?.includes('/voice/callback/pin'), true, g.attrs.action);
  assert.match(says(a).join(' '), /enter your password/);
}
const isMenu = (a: Answer) => findOne(a.tree, 'Gather').attrs.action!.includes('/voice/callback/menu');
const isDestinationPrompt = (a: Answer) => findOne(a.tree, 'Gather').attrs.action!.includes('/voice/callback/destination');
const lastVerb = (a: Answer) => a.tree.children.at(-1)?.name;

/** true when `p` settles within `ms` of real time (the manual clock does not move meanwhile). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const done = p.then(
    () => true,
    () => true,
  );
  const settled = await Promise.race([done, new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return settled;
}

/** An incoming call whose busy reject must not come before the full ring time has passed on the clock. */
async function ringHeld(rig: CallflowRig, from: string): Promise<Answer & { callSid: string }> {
  const sid = callSid();
  const pending = rig.post('/voice/incoming', { CallSid: sid, AccountSid: TEST_ACCOUNT_SID, From: from, To: NUMBER, CallStatus: 'ringing', Direction: 'inbound' });
  for (let i = 0; i < 400 && rig.t.clock.pendingSleeps === 0; i++) {
    if (await settlesWithin(pending, 5)) break;
  }
  assert.equal(await settlesWithin(pending, 150), false, 'the answer was not held');
  rig.t.clock.advance(rig.ringMs - 1);
  assert.equal(await settlesWithin(pending, 100), false, 'the answer came before the ring time');
  rig.t.clock.advance(1);
  return { ...(await pending), callSid: sid };
}

/** Three wrong PINs: the session ends as password-failed. */
async function failThreeTimes(rig: CallflowRig, from = CALLER): Promise<string> {
  const { first, sid, inbound } = await rig.callbackAnswered(from);
  let a = first;
  for (let i = 0; i < 3; i++) a = await rig.gather(a, '0000#', sid);
  assert.equal(lastVerb(a), 'Hangup');
  // The wrong PIN that reaches the target's limit ends the session as the lockout itself (issue 11).
  assert.ok(['password-failed', 'target-locked-out'].includes((await sessionOf(inbound))!.reason));
  return inbound;
}

describe('call flow: authentication', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  describe('which password', () => {
    it("when requireCallerPassword is on, then the caller's own PIN is asked and the extension password is refused", async () => {
      await rig.seed({ callback: { requireCallerPassword: true, password: EXT_PASSWORD } });
      const { first, sid } = await rig.callbackAnswered();
      assertPinPrompt(first);
      const wrong = await rig.gather(first, `${EXT_PASSWORD}#`, sid);
      assert.ok(says(wrong).includes('That password is not correct.'), JSON.stringify(says(wrong)));
      assertPinPrompt(wrong);
      const ok = await rig.gather(wrong, `${CALLER_PIN}#`, sid);
      assert.ok(isDestinationPrompt(ok), ok.xml);
    });

    it("when requireCallerPassword is off and the extension has a password, then the extension password is asked and the caller's PIN is refused", async () => {
      await rig.seed({ callback: { requireCallerPassword: false, password: EXT_PASSWORD, allowCreditQuery: true } });
      const { first, sid, inbound } = await rig.callbackAnswered();
      assertPinPrompt(first);
      const wrong = await rig.gather(first, `${CALLER_PIN}#`, sid);
      assert.ok(says(wrong).includes('That password is not correct.'));
      const ok = await rig.gather(wrong, EXT_PASSWORD, sid);
      assert.ok(isMenu(ok), ok.xml);
      const s = await sessionOf(inbound);
      assert.equal(s!.auth.passed, true);
      assert.equal(s!.auth.failures, 1);
    });

    it('when the extension password is set and returnCalls is "caller", then a stranger is asked for it too', async () => {
      await rig.seed({ callback: { returnCalls: 'caller', requireCallerPassword: false, password: EXT_PASSWORD } });
      const { first, sid } = await rig.callbackAnswered(STRANGER);
      assertPinPrompt(first);
      assert.ok(isDestinationPrompt(await rig.gather(first, `${EXT_PASSWORD}#`, sid)));
    });

    it('when no password applies, then the answer goes straight to the destination prompt', async () => {
      await rig.seed({ callback: { requireCallerPassword: false } });
      const { first } = await rig.callbackAnswered();
      assert.ok(isDestinationPrompt(first), first.xml);
      assert.ok(!says(first).some((t) => /password/.test(t)));
    });

    it('when no password applies and credit queries are allowed, then the answer goes straight to the menu', async () => {
      await rig.seed({ callback: { requireCallerPassword: false, allowCreditQuery: true } });
      const { first } = await rig.callbackAnswered();
      assert.ok(isMenu(first), first.xml);
    });

    it('when requireCallerPassword is on but the callback goes to a caller with no PIN of its own, then goodbye and hang-up', async () => {
      await rig.seed({ callback: { returnCalls: 'caller', requireCallerPassword: true } });
      const { first, inbound } = await rig.callbackAnswered(STRANGER);
      assert.equal(findAll(first.tree, 'Gather').length, 0);
      assert.equal(lastVerb(first), 'Hangup');
      assert.equal((await sessionOf(inbound))!.status, 'completed');
    });
  });

  describe('wrong passwords', () => {
    it('when three wrong PINs are entered, then "not correct" and a new prompt twice, then goodbye and hang-up (password-failed)', async () => {
      await rig.seed();
      const { first, sid, inbound } = await rig.callbackAnswered();
      const one = await rig.gather(first, '1111#', sid);
      assert.ok(says(one).includes('That password is not correct.'));
      assertPinPrompt(one);
      const two = await rig.gather(one, '2222#', sid);
      assert.ok(says(two).includes('That password is not correct.'));
      assertPinPrompt(two);
      const three = await rig.gather(two, '3333#', sid);
      assert.equal(findAll(three.tree, 'Gather').length, 0);
      assert.equal(lastVerb(three), 'Hangup');
      assert.match(says(three).join(' '), /Goodbye/);
      const s = await sessionOf(inbound);
      assert.equal(s!.status, 'completed');
      assert.equal(s!.reason, 'password-failed');
      assert.equal(s!.auth.failures, 3);
      assert.equal(s!.auth.passed, false);
      assert.equal(await callbackLockModel(testDb()).countDocuments({}), 0);
    });

    it('when the caller enters nothing, then it counts as a wrong try', async () => {
      await rig.seed();
      const { first, sid, inbound } = await rig.callbackAnswered();
      const silent = await rig.gather(first, '', sid);
      assert.ok(says(silent).includes('That password is not correct.'));
      assertPinPrompt(silent);
      const silent2 = await rig.gather(silent, '#', sid);
      assertPinPrompt(silent2);
      const silent3 = await rig.gather(silent2, '', sid);
      assert.equal(lastVerb(silent3), 'Hangup');
      assert.equal((await sessionOf(inbound))!.reason, 'password-failed');
    });

    it('when the right PIN comes on the third try, then the caller is in', async () => {
      await rig.seed();
      const { first, sid } = await rig.callbackAnswered();
      const a = await rig.gather(await rig.gather(first, '1#', sid), '12345#', sid);
      assert.ok(isDestinationPrompt(await rig.gather(a, `${CALLER_PIN}#`, sid)));
    });

    it('when Twilio retries the same PIN post, then it gets the same TwiML and the failure is counted once', async () => {
      await rig.seed();
      const { first, sid, inbound } = await rig.callbackAnswered();
      const once = await rig.gather(first, '9999#', sid);
      const again = await rig.gather(first, '9999#', sid);
      assert.equal(again.xml, once.xml);
      assert.equal((await sessionOf(inbound))!.auth.failures, 1);
      // The conversation goes on from the first answer: two more wrong tries end it, not one.
      const two = await rig.gather(once, '8888#', sid);
      assertPinPrompt(two);
    });

    it('when Twilio retries the answer webhook, then it gets the same prompt', async () => {
      await rig.seed();
      const ring = await rig.incoming(CALLER);
      const [create] = await rig.runJobs();
      const sid = rig.createdSid();
      const a = await rig.answer(create!, sid);
      const b = await rig.answer(create!, sid);
      assert.equal(b.xml, a.xml);
      assert.equal((await sessionOf(ring.callSid))!.timeline.filter((e) => e.event === 'callback-answered').length, 1);
    });
  });

  describe('lockout', function () {
    // Up to six callbacks with three scrypt PIN checks each: a wide margin for a loaded machine.
    this.timeout(540_000);
    // Every wrong PIN counts (issue 11): five sessions of three wrong PINs are the 15 that lock the target.
    beforeEach(() => rig.admin.patch('/api/settings/fraud', { maxWrongPinsPerTargetPerHour: 15 }).expect(200));
    it('when five password sessions fail for one target within an hour, then its next call rings the same time and gets no callback (target-locked-out), until the hour has passed', async () => {
      await rig.seed();
      for (let i = 0; i < 5; i++) await failThreeTimes(rig);
      const lock = await lockoutModel(testDb()).findOne({}).lean();
      assert.ok(lock, 'no lockout recorded');
      assert.equal(lock.target, CALLER);

      const locked = await ringHeld(rig, CALLER);
      assert.equal(findOne(locked.tree, 'Reject').attrs.reason, 'busy');
      const s = await sessionOf(locked.callSid);
      assert.equal(s!.status, 'refused');
      assert.equal(s!.reason, 'target-locked-out');
      assert.deepEqual(await rig.runJobs(), []);

      rig.t.clock.advance(HOUR);
      const free = await rig.incoming(CALLER);
      assert.equal((await sessionOf(free.callSid))!.reason, 'callback');
      assert.equal((await rig.runJobs()).length, 1);
    });

    it('when four password sessions failed, then the target is not locked out yet', async () => {
      await rig.seed();
      for (let i = 0; i < 4; i++) await failThreeTimes(rig);
      assert.equal(await lockoutModel(testDb()).countDocuments({}), 0);
      const ring = await rig.incoming(CALLER);
      assert.equal((await sessionOf(ring.callSid))!.reason, 'callback');
    });

    it('when the failed sessions are spread over more than an hour, then they do not add up to a lockout', async () => {
      await rig.seed();
      for (let i = 0; i < 4; i++) await failThreeTimes(rig);
      rig.t.clock.advance(HOUR + 60_000);
      await failThreeTimes(rig);
      assert.equal(await lockoutModel(testDb()).countDocuments({}), 0, 'sessions older than an hour counted');
      const ring = await rig.incoming(CALLER);
      assert.equal((await sessionOf(ring.callSid))!.reason, 'callback');
    });

    it('when the lockout has expired, then one more failed session does not lock the target again', async () => {
      await rig.seed();
      for (let i = 0; i < 5; i++) await failThreeTimes(rig);
      rig.t.clock.advance(HOUR);
      await failThreeTimes(rig);
      const ring = await rig.incoming(CALLER);
      assert.equal((await sessionOf(ring.callSid))!.reason, 'callback', 'the expired failures still count');
    });

    it('when one target is locked out, then another authorized caller ID of the same extension still gets its callback', async () => {
      await rig.seed();
      const other = '+12025550166';
      await rig.admin.post(`/api/extensions/${rig.extensionId}/authorized-callers`, { number: other, password: '5555' }).expect(201);
      for (let i = 0; i < 5; i++) await failThreeTimes(rig);
      const ring = await rig.incoming(other);
      assert.equal((await sessionOf(ring.callSid))!.reason, 'callback');
    });
  });
});
