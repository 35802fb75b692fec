import assert from 'node:assert/strict';
import { clientModel } from '../../models/client';
import { creditEntryModel } from '../../models/credit-entry';
import { reservationModel } from '../../models/reservation';
import { settleReservation } from '../../src/domain/reservations/reservations';
import { callCost } from '../../src/billing/rating';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { CALLER, callSid, CallflowRig } from '../support/callflow';
import { testDb } from '../support/database';

/** Issue 15, item 10: a settlement already under way is never re-claimed with another duration. */

const balance = async (rig: CallflowRig) => (await clientModel(testDb()).findById(rig.clientId).lean())!.balance;

async function heldDial(rig: CallflowRig) {
  await rig.seed({ callback: { requireCallerPassword: false } });
  await rig.incoming(CALLER);
  const creates = await rig.runJobs();
  const sid = rig.createdSid();
  const prompt = await rig.answer(creates[0]!, sid);
  const dial = await rig.gather(prompt, '00442079460000#', sid);
  assert.ok(findOne(dial.tree, 'Dial'));
  const held = await reservationModel(testDb()).findOne({ state: 'held' }).lean();
  assert.ok(held);
  return { held, before: await balance(rig) };
}

describe('hardening: settling a reservation once (issue 15, item 10)', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when the dial result (600 s) and the sweeper (0 s) settle at once, then both report the one charge that moved and is recorded', async () => {
    const { held, before } = await heldDial(rig);
    const now = rig.t.clock.now();
    const [dialResult, sweeper] = await Promise.all([
      settleReservation(testDb(), held._id, { duration: 600, dialCallSid: callSid() }, now),
      settleReservation(testDb(), held._id, { duration: 0, dialCallSid: null }, now),
    ]);
    const settled = (await reservationModel(testDb()).findById(held._id).lean())!;
    const entries = await creditEntryModel(testDb()).find({ kind: 'call-charge' }).lean();
    assert.equal(entries.length, 1);
    const moved = before + held.clientAmount - (await balance(rig));
    assert.equal(settled.state, 'settled');
    assert.equal(0 - entries[0]!.amount, moved); // 0 - x, not -x: a 0 s charge must compare equal to 0, not -0
    assert.equal(settled.charge, moved);
    assert.equal(callCost(settled.duration!, settled.rate), moved, 'the stored duration prices the charge that moved');
    assert.equal(dialResult.charge, moved);
    assert.equal(sweeper.charge, moved);
  });

  it('when a run died after moving the balance, then the resuming sweeper records the charge from the duration that moved it', async () => {
    const { held, before } = await heldDial(rig);
    const now = rig.t.clock.now();
    // The dial result's run: claimed with 600 s and released the rest, then its instance died.
    await reservationModel(testDb()).updateOne({ _id: held._id }, { $set: { state: 'settling', duration: 600 } });
    const charge600 = callCost(600, held.rate);
    await clientModel(testDb()).updateOne(
      { _id: held.clientId, pendingEntryIds: held._id },
      { $inc: { balance: held.clientAmount - charge600 }, $pull: { pendingEntryIds: held._id } },
    );
    const swept = await settleReservation(testDb(), held._id, { duration: 0, dialCallSid: null }, now);
    const entry = (await creditEntryModel(testDb()).findById(held._id).lean())!;
    assert.equal(before + held.clientAmount - (await balance(rig)), charge600);
    assert.equal(entry.amount, -charge600);
    assert.equal(swept.charge, charge600);
    assert.equal((await reservationModel(testDb()).findById(held._id).lean())!.charge, charge600);
  });
});
