import assert from 'node:assert/strict';
import { reservationModel } from '../../models/reservation';
import { findAll, findOne } from '../../src/twilio-sim/twiml-parse';
import { type Answer, CALLER_PIN, CallflowRig, says, sessionOf } from '../support/callflow';
import { testDb } from '../support/database';

/** Issue 4, behaviours 5 and 6: the credit menu, and the destination the caller keys in. */

const gatherAction = (a: Answer) => findOne(a.tree, 'Gather').attrs.action!;
function assertMenu(a: Answer): void {
  const g = findOne(a.tree, 'Gather');
  assert.ok(g.attrs.action!.includes('/voice/callback/menu'), a.xml);
  assert.equal(g.attrs.numDigits, '1');
  assert.ok(says(a).includes('Press 1 to hear your credit. Press 2 to place a call.'), JSON.stringify(says(a)));
}
function assertDestinationPrompt(a: Answer): void {
  const g = findOne(a.tree, 'Gather');
  assert.ok(g.attrs.action!.includes('/voice/callback/destination'), a.xml);
  assert.equal(g.attrs.finishOnKey, '#');
  assert.ok(says(a).includes('Please dial the number you want to call, followed by the pound key.'), JSON.stringify(says(a)));
}
const dialedNumber = (a: Answer) => findOne(findOne(a.tree, 'Dial'), 'Number').text;
const lastVerb = (a: Answer) => a.tree.children.at(-1)?.name;

describe('call flow: the credit menu', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when the caller presses 1, then the client balance is spoken as dollars and cents, then the menu again', async () => {
    await rig.seed({ callback: { allowCreditQuery: true }, client: { credit: '12.50' } });
    const { first, sid } = await rig.callbackAnswered();
    const menu = await rig.gather(first, `${CALLER_PIN}#`, sid);
    assertMenu(menu);
    const credit = await rig.gather(menu, '1', sid);
    assert.deepEqual(says(credit), ['Your credit is 12 dollars and 50 cents.', 'Press 1 to hear your credit. Press 2 to place a call.']);
    assertMenu(credit);
    // and again: the menu keeps working
    const credit2 = await rig.gather(credit, '1', sid);
    assert.equal(says(credit2)[0], 'Your credit is 12 dollars and 50 cents.');
  });

  it("when the authorized caller ID has limited credit, then its available credit is spoken, not the client's balance", async () => {
    await rig.seed({ callback: { allowCreditQuery: true }, callerCredit: '5.25' });
    const { first, sid } = await rig.callbackAnswered();
    const menu = await rig.gather(first, `${CALLER_PIN}#`, sid);
    const credit = await rig.gather(menu, '1', sid);
    assert.equal(says(credit)[0], 'Your credit is 5 dollars and 25 cents.');
    assertMenu(credit);
  });

  it('when the caller presses 2, then the destination prompt follows', async () => {
    await rig.seed({ callback: { allowCreditQuery: true } });
    const { first, sid } = await rig.callbackAnswered();
    const menu = await rig.gather(first, `${CALLER_PIN}#`, sid);
    const dest = await rig.gather(menu, '2', sid);
    assertDestinationPrompt(dest);
  });

  for (const key of ['3', '0', '*', '9']) {
    it(`when the caller presses ${key}, then "not a valid choice" and the menu again`, async () => {
      await rig.seed({ callback: { allowCreditQuery: true } });
      const { first, sid } = await rig.callbackAnswered();
      const menu = await rig.gather(first, `${CALLER_PIN}#`, sid);
      const again = await rig.gather(menu, key, sid);
      assert.equal(says(again)[0], 'That is not a valid choice.');
      assertMenu(again);
      assert.notEqual(gatherAction(again), gatherAction(menu), 'the repeated menu must be a new step');
      assertDestinationPrompt(await rig.gather(again, '2', sid));
    });
  }

  it('when allowCreditQuery is off, then there is no menu: the password leads straight to the destination prompt', async () => {
    await rig.seed({ callback: { allowCreditQuery: false } });
    const { first, sid } = await rig.callbackAnswered();
    const next = await rig.gather(first, `${CALLER_PIN}#`, sid);
    assertDestinationPrompt(next);
    assert.ok(!says(next).some((t) => /Press 1/.test(t)));
  });
});

describe('call flow: the destination', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  /** Seeds without a password or menu, so the answered callback is the destination prompt. */
  async function destinationPrompt(opts: Parameters<CallflowRig['seed']>[0] = {}) {
    await rig.seed({ ...opts, callback: { requireCallerPassword: false, ...opts.callback } });
    const r = await rig.callbackAnswered();
    assertDestinationPrompt(r.first);
    return r;
  }

  for (const [what, digits, e164] of [
    ['a leading * for +', '*442079460000', '+442079460000'],
    ['the 00 international prefix', '00442079460000', '+442079460000'],
    ['the 011 international prefix', '011442079460000', '+442079460000'],
    ['a national number of the called-back number (US)', '2025550186', '+12025550186'],
    ['a national number with the trunk 1 (US)', '12025550186', '+12025550186'],
  ] as const) {
    it(`when the caller dials ${what} (${digits}#), then ${e164} is dialed`, async () => {
      const { first, sid, inbound } = await destinationPrompt();
      const dial = await rig.gather(first, `${digits}#`, sid);
      assert.equal(dialedNumber(dial), e164);
      assert.equal((await sessionOf(inbound))!.destination.number, e164);
    });
  }

  it('when the called-back number is British, then a national number is read as British', async () => {
    await rig.seed({ callback: { returnCalls: 'fixed', fixedNumber: '+442079460123', requireCallerPassword: false } });
    const { first, sid } = await rig.callbackAnswered();
    const dial = await rig.gather(first, '02079460000#', sid);
    assert.equal(dialedNumber(dial), '+442079460000');
  });

  it('when the number is invalid, then the reason is spoken and one more try offered, then goodbye', async () => {
    const { first, sid, inbound } = await destinationPrompt();
    const retry = await rig.gather(first, '12#', sid);
    assert.deepEqual(says(retry).slice(0, 2), ['That number is not valid.', 'Please try again.']);
    assertDestinationPrompt(retry);
    const bye = await rig.gather(retry, '99#', sid);
    assert.equal(findAll(bye.tree, 'Gather').length, 0);
    assert.equal(says(bye)[0], 'That number is not valid.');
    assert.equal(lastVerb(bye), 'Hangup');
    const s = await sessionOf(inbound);
    assert.equal(s!.status, 'completed');
    assert.equal(s!.reason, 'destination-refused');
    assert.equal(await reservationModel(testDb()).countDocuments({}), 0);
  });

  it('when the first number is invalid and the second valid, then the second is dialed', async () => {
    const { first, sid } = await destinationPrompt();
    const retry = await rig.gather(first, '*1#', sid);
    assert.equal(says(retry)[0], 'That number is not valid.');
    assert.equal(dialedNumber(await rig.gather(retry, '*442079460000#', sid)), '+442079460000');
  });

  it('when the number starts with a denied prefix, then "not allowed" is spoken and one more try offered', async () => {
    const { first, sid } = await destinationPrompt({ client: { denyPrefixes: ['+4420'] } });
    const retry = await rig.gather(first, '*442079460000#', sid);
    assert.deepEqual(says(retry).slice(0, 2), ['Calls to that number are not allowed.', 'Please try again.']);
    assertDestinationPrompt(retry);
    assert.equal(dialedNumber(await rig.gather(retry, '*447911123456#', sid)), '+447911123456');
  });

  it('when the client allows only some prefixes, then a number outside them is "not allowed"', async () => {
    const { first, sid } = await destinationPrompt({ client: { allowPrefixes: ['+1'] } });
    const retry = await rig.gather(first, '*442079460000#', sid);
    assert.equal(says(retry)[0], 'Calls to that number are not allowed.');
    assert.equal(dialedNumber(await rig.gather(retry, '2025550186#', sid)), '+12025550186');
  });

  it('when the destination has no rate, then the reason is spoken and one more try offered', async () => {
    const { first, sid } = await destinationPrompt();
    const retry = await rig.gather(first, '*33142685300#', sid); // Paris: the rate table has +44 and +1 only
    assert.deepEqual(says(retry).slice(0, 2), ['Calls to that destination are not available.', 'Please try again.']);
    assertDestinationPrompt(retry);
    const bye = await rig.gather(retry, '0033142685300#', sid);
    assert.equal(says(bye)[0], 'Calls to that destination are not available.');
    assert.equal(lastVerb(bye), 'Hangup');
  });

  it('when nothing is dialed, then a short message and hang-up', async () => {
    const { first, sid, inbound } = await destinationPrompt();
    const bye = await rig.gather(first, '', sid);
    assert.deepEqual(says(bye), ['No number was dialed. Goodbye.']);
    assert.equal(lastVerb(bye), 'Hangup');
    assert.equal(findAll(bye.tree, 'Gather').length, 0);
    const s = await sessionOf(inbound);
    assert.equal(s!.status, 'completed');
    assert.equal(s!.reason, 'nothing-dialed');
  });

  it('when Twilio retries the destination post, then it gets the same Dial and only one reservation is made', async () => {
    const { first, sid } = await destinationPrompt();
    const a = await rig.gather(first, '*442079460000#', sid);
    const b = await rig.gather(first, '*442079460000#', sid);
    assert.equal(b.xml, a.xml);
    assert.equal(await reservationModel(testDb()).countDocuments({}), 1);
  });
});
