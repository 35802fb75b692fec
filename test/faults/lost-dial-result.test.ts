import assert from 'node:assert/strict';
import { clientModel } from '../../models/client';
import { creditEntryModel } from '../../models/credit-entry';
import { reservationModel } from '../../models/reservation';
import { sweep } from '../../src/callflow/sweeper';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { CALLER, CALLER_PIN, CallflowRig } from '../support/callflow';
import { testDb } from '../support/database';

/**
 * Issue 6, the SIGKILL stage "credit reserved, <Dial> sent" when Twilio's dial-result never reaches a
 * live service (it was down for the post and its retry): the sweeper settles the reservation from
 * Twilio's record of the dialed leg. Each dial must be charged from its own leg.
 */
describe('faults: the dial-result lost', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when the caller dialed the same number twice and the second dial-result was lost, then the sweeper charges the second dial from its own leg, not from the first (already settled) one', async () => {
    await rig.seed({ callback: { requireCallerPassword: true } });
    const { first, sid } = await rig.callbackAnswered(CALLER);
    const prompt = await rig.gather(first, CALLER_PIN, sid);

    // First dial: nobody answers; its dial-result settles it at 0 and the caller is asked again.
    const dial1 = await rig.gather(prompt, '2025550186#', sid);
    const leg1 = await rig.t.deps.twilio.calls.create({ to: '+12025550186', from: '+442071838750', url: 'https://example.com/x' });
    rig.standin.setCallState(leg1.sid, { status: 'no-answer', duration: 0, parentCallSid: sid });
    const again = await rig.dialEnded(dial1, sid, { status: 'no-answer', dialSid: leg1.sid });
    assert.match(findOne(again.tree, 'Gather').attrs.action!, /\/voice\/callback\/destination\?/);
    // Second dial to the same number: answered, 125 s; its dial-result never reaches a live service.
    await rig.gather(again, '2025550186#', sid);
    const leg2 = await rig.t.deps.twilio.calls.create({ to: '+12025550186', from: '+442071838750', url: 'https://example.com/x' });
    rig.standin.setCallState(leg2.sid, { status: 'completed', duration: 125, parentCallSid: sid });

    const held = await reservationModel(testDb()).findOne({ state: 'held' }).lean();
    assert.ok(held);
    rig.t.clock.advance((held.seconds + 16 * 60) * 1000);
    const report = await sweep(rig.t.deps);
    assert.equal(report.reservationsSettled, 1);
    const settled = await reservationModel(testDb()).findById(held._id).lean();
    assert.equal(settled!.dialCallSid, leg2.sid, 'settled from the first leg (unanswered, already settled): the talk is never charged');
    assert.equal(settled!.duration, 125);
    assert.equal(settled!.charge, 210);

    const charges = await creditEntryModel(testDb()).find({ kind: 'call-charge', authorizedCallerId: null }).lean();
    assert.deepEqual(
      charges.map((c) => c.amount + 0).sort((a, b) => a - b),
      [-210, 0],
    );
    assert.equal((await clientModel(testDb()).findById(rig.clientId).lean())!.balance, 100_000 - 210);
    assert.equal((await sweep(rig.t.deps)).reservationsSettled, 0, 'settled twice');
  });
});
