import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { lockoutModel } from '../../models/lockout';
import { findAll, findOne } from '../../src/twilio-sim/twiml-parse';
import { CALLER, CALLER_PIN, CallflowRig, says, type Answer } from '../support/callflow';
import { testDb } from '../support/database';

/**
 * PIN brute force: three wrong PINs end a callback, and five such failed callbacks within an hour lock
 * the target out for an hour: no further callback (so no further guess) until then, the right PIN
 * included. A retried step (Twilio re-posting the same Gather) cannot be used for an extra guess.
 */
describe('security: PIN brute force stops at the lockout', function () {
  this.timeout(180_000);
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  /** One callback in which the caller guesses `guesses` in turn; returns the last answer. */
  async function guessingSession(guesses: string[]): Promise<{ last: Answer; prompts: Answer[] }> {
    const ring = await rig.incoming(CALLER);
    assert.equal(findOne(ring.tree, 'Reject').attrs.reason, 'busy');
    const [create] = await rig.runJobs(8_000);
    assert.ok(create, 'no callback placed');
    const sid = rig.createdSid();
    let prompt = await rig.answer(create, sid);
    const prompts = [prompt];
    for (const g of guesses) {
      prompt = await rig.gather(prompt, `${g}#`, sid);
      prompts.push(prompt);
      if (findAll(prompt.tree, 'Gather').length === 0) break;
    }
    await rig.status(create, sid, 'completed', { CallDuration: '20' });
    return { last: prompt, prompts };
  }

  it('when five callbacks each end after three wrong PINs, then the target is locked out and the next call gets no callback, even with the right PIN', async () => {
    await rig.seed({ callback: { triggerAfterSeconds: 5 } });
    // Every wrong PIN counts (issue 11): five callbacks of three wrong PINs are the 15 that lock the target.
    await rig.admin.patch('/api/settings/fraud', { maxWrongPinsPerTargetPerHour: 15 }).expect(200);
    let guess = 1000;
    for (let s = 1; s <= 5; s++) {
      const { last, prompts } = await guessingSession([String(guess++), String(guess++), String(guess++), String(guess++)]);
      // Three guesses per callback, not four: the third wrong PIN ends it.
      assert.equal(prompts.length, 4, `session ${s}: ${prompts.length - 1} guesses were taken`);
      assert.equal(findAll(last.tree, 'Gather').length, 0);
      assert.equal(findAll(last.tree, 'Hangup').length, 1);
      assert.ok(says(last).length > 0);
      const locked = await lockoutModel(testDb()).countDocuments({});
      assert.equal(locked, s === 5 ? 1 : 0, `after ${s} failed sessions, ${locked} lockouts`);
    }

    // The sixth call: rejected busy as always (a stranger cannot tell), but refused and never called back.
    const before = rig.standin.callsCreated().length;
    const ring = await rig.incoming(CALLER);
    assert.equal(findOne(ring.tree, 'Reject').attrs.reason, 'busy');
    const session = await callSessionModel(testDb()).findOne({ inboundCallSid: ring.callSid }).lean();
    assert.equal(session!.status, 'refused');
    assert.equal(session!.reason, 'target-locked-out');
    assert.deepEqual(await rig.runJobs(60_000), []);
    assert.equal(rig.standin.callsCreated().length, before);

    // An hour later the lockout has expired: the right PIN works again.
    rig.t.clock.advance(61 * 60_000);
    const { last } = await guessingSession([CALLER_PIN]);
    assert.match(says(last).join(' '), /dial the number/);
  });

  it('when Twilio re-posts the step that ended the callback, then a right PIN in the retry is not a fourth guess', async () => {
    await rig.seed({ callback: { triggerAfterSeconds: 5 } });
    const { prompts } = await guessingSession(['1111', '2222', '3333']);
    const ended = prompts[3]!;
    assert.equal(findAll(ended.tree, 'Gather').length, 0);
    // Re-post the third guess's step (same action URL) with the right PIN: the stored answer comes back.
    const sid = rig.createdSid();
    const replay = await rig.gather(prompts[2]!, `${CALLER_PIN}#`, sid);
    assert.equal(replay.xml, ended.xml);
    const s = await callSessionModel(testDb()).findOne({}).sort({ createdAt: -1 }).lean();
    assert.notEqual(s!.auth.passed, true);
  });
});
