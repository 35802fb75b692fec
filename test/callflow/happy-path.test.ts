import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { creditEntryModel } from '../../models/credit-entry';
import { reservationModel } from '../../models/reservation';
import { findAll, findOne } from '../../src/twilio-sim/twiml-parse';
import { CALLER, CALLER_PIN, CallflowRig, NUMBER, says, TEST_PUBLIC_BASE_URL } from '../support/callflow';
import { testDb } from '../support/database';

describe('call flow: the whole callback conversation', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when an authorized caller rings, then the call is rejected busy after the ring, called back, authenticated, and dialed with billing', async () => {
    await rig.seed({ callback: { allowCreditQuery: true, triggerAfterSeconds: 5 } });

    // 1. ring and reject
    const ring = await rig.incoming(CALLER);
    assert.equal(findOne(ring.tree, 'Reject').attrs.reason, 'busy');
    assert.equal(ring.tree.children.length, 1);
    const session = await callSessionModel(testDb()).findOne({ inboundCallSid: ring.callSid }).lean();
    assert.equal(session!.status, 'queued');
    assert.equal(session!.target, CALLER);

    // 2. the callback, a few seconds after the reject
    assert.deepEqual(await rig.runJobs(1_000), [], 'placed before the caller line is free');
    const [create] = await rig.runJobs(3_000);
    assert.ok(create, 'no callback placed');
    assert.equal(create.params.To, CALLER);
    assert.equal(create.params.From, NUMBER);
    assert.equal(create.params.Timeout, '30');
    assert.equal(create.params.MachineDetection, 'Enable');
    assert.deepEqual(create.params.StatusCallbackEvent, ['initiated', 'ringing', 'answered', 'completed']);
    assert.ok(String(create.params.Url).startsWith(`${TEST_PUBLIC_BASE_URL}/voice/callback/answer?session=`));
    const cbSid = rig.createdSid();
    await rig.status(create, cbSid, 'initiated');
    await rig.status(create, cbSid, 'ringing');

    // 3. answered: password prompt
    const answered = await rig.answer(create, cbSid);
    const pinGather = findOne(answered.tree, 'Gather');
    assert.equal(pinGather.attrs.finishOnKey, '#');
    assert.equal(pinGather.attrs.actionOnEmptyResult, 'true');
    assert.match(says(answered).join(' '), /password/);

    // 4. correct PIN: menu
    const menu = await rig.gather(answered, `${CALLER_PIN}#`, cbSid);
    assert.equal(findOne(menu.tree, 'Gather').attrs.numDigits, '1');
    assert.match(says(menu).join(' '), /Press 1 to hear your credit. Press 2 to place a call./);

    // 5. credit query: the client's balance (the caller ID is unlimited), then the menu again
    const credit = await rig.gather(menu, '1', cbSid);
    assert.ok(says(credit).includes('Your credit is 10 dollars.'), JSON.stringify(says(credit)));
    findOne(credit.tree, 'Gather');

    // 6. place a call: destination prompt, then a UK number with the 00 international prefix
    const destPrompt = await rig.gather(credit, '2', cbSid);
    assert.match(says(destPrompt).join(' '), /dial the number/);
    const dial = await rig.gather(destPrompt, '00442079460000#', cbSid);
    const dialEl = findOne(dial.tree, 'Dial');
    assert.equal(findOne(dial.tree, 'Number').text, '+442079460000');
    assert.equal(dialEl.attrs.callerId, NUMBER);
    assert.equal(dialEl.attrs.answerOnBridge, 'true');
    // 10.00 at 0.02/min in 60 s blocks: 500 minutes, capped at 4 hours
    assert.equal(dialEl.attrs.timeLimit, String(4 * 3600));
    assert.ok(
      says(dial).some((t) => /You can talk for 4 hours/.test(t)),
      JSON.stringify(says(dial)),
    );
    const held = await reservationModel(testDb()).findOne({}).lean();
    assert.equal(held!.state, 'held');
    assert.equal(held!.clientAmount, 240 * 200);
    assert.equal((await clientModel(testDb()).findById(rig.clientId).lean())!.balance, 100_000 - 48_000);

    // 7. the dial ends after 61 s: two 60 s blocks at 0.02 = 0.04
    const after = await rig.dialEnded(dial, cbSid, { status: 'completed', duration: 61 });
    assert.deepEqual(findAll(after.tree, 'Hangup').length, 1);
    const client = await clientModel(testDb()).findById(rig.clientId).lean();
    assert.equal(client!.balance, 100_000 - 400);
    assert.deepEqual(client!.pendingEntryIds, []);
    const charge = await creditEntryModel(testDb()).findOne({ kind: 'call-charge' }).lean();
    assert.equal(charge!.amount, -400);
    assert.equal(charge!.balanceAfter, 99_600);

    // 8. the callback leg completes
    await rig.status(create, cbSid, 'completed', { CallDuration: '95' });
    const done = await callSessionModel(testDb()).findById(session!._id).lean();
    assert.equal(done!.status, 'completed');
    const events = done!.timeline.map((e) => e.event);
    for (const e of ['incoming', 'decision', 'callback-placed', 'callback-answered', 'password-accepted', 'credit-query', 'dial', 'dial-ended']) {
      assert.ok(events.includes(e), `timeline lacks ${e}: ${events.join(', ')}`);
    }
    assert.ok(done!.callerIdTrace!.length > 0);
  });
});
