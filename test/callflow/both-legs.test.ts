import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { creditEntryModel } from '../../models/credit-entry';
import { reservationModel } from '../../models/reservation';
import { sweep } from '../../src/callflow/sweeper';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { type Answer, CallflowRig, says } from '../support/callflow';
import { testDb } from '../support/database';

/** Issue 11: the callback leg is rated, held, charged once, and priced into the dial's time limit. */

const UK_CALLER = '+447911123456'; // the callback target: the caller, called back on +44
const PARIS = '+33142685300';
const RATES = [
  { prefix: '+44', perMinute: '0.1000', initialSeconds: 60, incrementSeconds: 60 },
  { prefix: '+33', perMinute: '0.2000', initialSeconds: 60, incrementSeconds: 60 },
];

const balance = async (rig: CallflowRig) => (await clientModel(testDb()).findById(rig.clientId).lean())!.balance;
const sessionOf = (sid: string) => callSessionModel(testDb()).findOne({ inboundCallSid: sid }).lean();
const timeLimit = (a: Answer) => Number(findOne(a.tree, 'Dial').attrs.timeLimit);

async function setRates(rig: CallflowRig, rates: Record<string, unknown>[]): Promise<void> {
  const client = await clientModel(testDb()).findById(rig.clientId).lean();
  await rig.admin.patch(`/api/rate-tables/${String(client!.rateTableId)}`, { rates }).expect(200);
}

/** Seeds a client whose callers are called back (no password, no menu), with the rates. */
async function seedBothLegs(rig: CallflowRig, opts: { credit?: string; callback?: Record<string, unknown>; client?: Record<string, unknown> } = {}) {
  await rig.seed({
    client: { credit: opts.credit ?? '10.00', ...opts.client },
    callback: { returnCalls: 'caller', requireCallerPassword: false, chargeCallbackLeg: true, retry: { attempts: 1 }, ...opts.callback },
  });
  await setRates(rig, RATES);
}

/** Rings from `from`, places and answers the callback: the destination prompt and the callback's create request. */
async function answered(rig: CallflowRig, from = UK_CALLER) {
  const ring = await rig.incoming(from);
  const creates = await rig.runJobs();
  assert.equal(creates.length, 1, `no callback: ${(await sessionOf(ring.callSid))?.reason}`);
  const sid = rig.createdSid();
  const prompt = await rig.answer(creates[0]!, sid);
  return { prompt, sid, create: creates[0]!, inbound: ring.callSid };
}

async function callRecord(rig: CallflowRig, inbound: string) {
  const s = await sessionOf(inbound);
  return (await rig.admin.get(`/api/calls/${String(s!._id)}`).expect(200)).body;
}

describe('call flow: both legs are money', function () {
  // A whole callback and dial per test: a wide margin for a loaded machine.
  this.timeout(360_000);
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when the callback leg lasts 120 s on +44 at 0.10/min and the dial 60 s on +33 at 0.20/min (60/60), then 0.20 + 0.20 are charged and the balance is exact', async () => {
    await seedBothLegs(rig);
    const { prompt, sid, create, inbound } = await answered(rig);
    const dial = await rig.gather(prompt, `*${PARIS.slice(1)}#`, sid);
    await rig.dialEnded(dial, sid, { status: 'completed', duration: 60 });
    await rig.status(create, sid, 'completed', { CallDuration: '120' });

    assert.equal(await balance(rig), 100_000 - 2_000 - 2_000);
    const record = await callRecord(rig, inbound);
    assert.equal(record.charge, '0.40');
    const legs = record.charges.map((c: { leg: string; destination: string; charge: string; duration: number }) => [c.leg, c.destination, c.charge, c.duration]);
    assert.deepEqual(legs.sort(), [
      ['callback', UK_CALLER, '0.20', 120],
      ['dial', PARIS, '0.20', 60],
    ]);
    const entries = await creditEntryModel(testDb()).find({ kind: 'call-charge', authorizedCallerId: null }).lean();
    const session = await sessionOf(inbound);
    assert.ok(
      entries.every((e) => String(e.callId) === String(session!._id)),
      'a call-charge entry without its callId',
    );
    assert.equal(
      entries.reduce((sum, e) => sum + e.amount, 0),
      -4_000,
    );
    assert.ok(entries.some((e) => /^callback leg/.test(e.note ?? '')) && entries.some((e) => /^dial leg/.test(e.note ?? '')), JSON.stringify(entries.map((e) => e.note)));
    assert.equal(await reservationModel(testDb()).countDocuments({ state: { $ne: 'settled' } }), 0, 'money left held');
  });

  it('when the completed status callback comes three times and late, after the dial, then the callback leg is charged once', async () => {
    await seedBothLegs(rig);
    const { prompt, sid, create, inbound } = await answered(rig);
    const dial = await rig.gather(prompt, `*${PARIS.slice(1)}#`, sid);
    await rig.dialEnded(dial, sid, { status: 'completed', duration: 60 });
    rig.t.clock.advance(10 * 60_000);
    for (let i = 0; i < 3; i++) await rig.status(create, sid, 'completed', { CallDuration: '120' });
    // A stray later report with another duration changes nothing either.
    await rig.status(create, sid, 'completed', { CallDuration: '900' });

    assert.equal(await balance(rig), 100_000 - 4_000);
    const callbackEntries = await creditEntryModel(testDb())
      .find({ kind: 'call-charge', note: /^callback leg/ })
      .lean();
    assert.equal(
      callbackEntries.reduce((sum, e) => sum + e.amount, 0),
      -2_000,
    );
    const s = await sessionOf(inbound);
    assert.equal(s!.timeline.filter((e) => e.event === 'callback-leg-charged').length, 1);
  });

  it("when the callback leg's status callback is lost, then the sweeper charges it from the duration Twilio reports", async () => {
    await seedBothLegs(rig);
    const { prompt, sid, inbound } = await answered(rig);
    const dial = await rig.gather(prompt, `*${PARIS.slice(1)}#`, sid);
    await rig.dialEnded(dial, sid, { status: 'completed', duration: 60 });
    assert.equal((await balance(rig)) < 100_000 - 2_000, true, 'the callback leg held nothing');

    rig.standin.setCallState(sid, { status: 'in-progress' });
    rig.t.clock.advance(30 * 60_000);
    await sweep(rig.t.deps);
    assert.equal(await reservationModel(testDb()).countDocuments({ leg: 'callback', state: 'settled' }), 0, 'a live callback leg was settled');

    rig.standin.setCallState(sid, { status: 'completed', duration: 150 }); // 3 blocks of 60 s at 0.10
    rig.t.clock.advance(10 * 60_000);
    await sweep(rig.t.deps);
    assert.equal(await balance(rig), 100_000 - 3_000 - 2_000);
    const s = await sessionOf(inbound);
    const charged = s!.timeline.find((e) => e.event === 'callback-leg-charged');
    assert.equal((charged?.detail as { by?: string } | undefined)?.by, 'sweeper');
    await sweep(rig.t.deps);
    assert.equal(await balance(rig), 100_000 - 5_000, 'charged twice');
  });

  it('when the credit is 1.00, the callback 0.10/min and the dial 0.20/min (60/60), then timeLimit is at most 180 s, pays both legs with the ring and prompts, and the balance ends at zero or above', async () => {
    await seedBothLegs(rig, { credit: '1.00' });
    const { prompt, sid, create } = await answered(rig);
    rig.t.clock.advance(20_000);
    const dial = await rig.gather(prompt, `*${PARIS.slice(1)}#`, sid);
    const limit = timeLimit(dial);
    assert.ok(limit > 0 && limit <= 180, `timeLimit ${limit}`);
    // The callback leg runs 20 s + 70 s (prompts, the 30 s ring, the hang-up) + T: T = 180 would need
    // 0.50 + 0.60; T = 120 needs 0.40 + 0.40 of the 1.00.
    assert.equal(limit, 120);
    assert.ok(
      says(dial).some((t) => /talk for 2 minutes/.test(t)),
      JSON.stringify(says(dial)),
    );
    // The dial runs to its limit after the longest ring; the callback leg lasts all of it.
    await rig.dialEnded(dial, sid, { status: 'completed', duration: limit });
    await rig.status(create, sid, 'completed', { CallDuration: String(20 + 70 + limit) });
    const end = await balance(rig);
    assert.equal(end, 10_000 - 4_000 - 4_000); // dial 2 min at 0.20, callback 210 s -> 4 min at 0.10, all paid
    const record = await callRecord(rig, (await callSessionModel(testDb()).findOne({ 'callback.callSid': sid }).lean())!.inboundCallSid);
    assert.deepEqual(
      record.charges.map((c: { leg: string; charge: string }) => [c.leg, c.charge]),
      [
        ['callback', '0.40'],
        ['dial', '0.40'],
      ],
    );
  });

  it('when the dial runs to its time limit on per-second rates, then its <Dial action> bills it and plays the disconnect sound (the dial paid the callback leg until after it)', async () => {
    await seedBothLegs(rig, { credit: '1.00' });
    await setRates(
      rig,
      RATES.map((r) => ({ ...r, initialSeconds: 1, incrementSeconds: 1 })),
    );
    const { prompt, sid, create, inbound } = await answered(rig);
    rig.t.clock.advance(20_000);
    const dial = await rig.gather(prompt, `*${PARIS.slice(1)}#`, sid);
    const limit = timeLimit(dial);
    assert.ok(limit > 0, 'no dial');
    rig.t.clock.advance((15 + limit) * 1000); // the prompts and the ring, then the whole time limit
    const after = await rig.dialEnded(dial, sid, { status: 'completed', duration: limit });
    assert.ok(!says(after).some((t) => /not have enough credit/.test(t)), JSON.stringify(says(after)));
    const s = (await sessionOf(inbound))!;
    assert.equal(s.reason, 'credit-ended');
    assert.ok(
      s.timeline.some((e) => e.event === 'dial-ended'),
      'the dial was not billed by its action',
    );
    await rig.status(create, sid, 'completed', { CallDuration: String(20 + 15 + limit + 5) });
    assert.ok((await balance(rig)) >= 0);
    assert.equal(await reservationModel(testDb()).countDocuments({ sessionId: s._id, state: 'held' }), 0, 'a hold left behind');
  });

  it("when the first placement gets a Twilio 503, then the retry counts the attempt's own hold as credit and places the callback", async () => {
    // 0.30: the callback leg's minute (0.10) and the cheapest dial's (0.10) are paid; the first run holds
    // 0.20 of it, so the retry sees 0.10 left unless it counts its own hold.
    await seedBothLegs(rig, { credit: '0.30' });
    const ring = await rig.incoming(UK_CALLER);
    rig.standin.failNext(1, { status: 503, code: 20503, message: 'Service Unavailable' });
    await rig.runJobs();
    const first = (await sessionOf(ring.callSid))!;
    assert.equal(first.status, 'queued', `not retried: ${first.reason}`);
    assert.ok(first.timeline.some((e) => e.event === 'callback-retry-after-error'));
    await rig.runJobs(120_000);
    const placed = (await sessionOf(ring.callSid))!;
    assert.equal(placed.status, 'calling', `no callback on the retry: ${placed.reason}`);
    assert.ok(placed.callback.callSid, 'no CallSid recorded');
    assert.equal(await reservationModel(testDb()).countDocuments({ sessionId: placed._id, leg: 'callback', state: 'held' }), 1, 'one hold for the attempt');
  });

  it('when the caller stays in the menu for six minutes, then more is held as the conversation goes on and the whole callback leg is charged', async () => {
    await seedBothLegs(rig, { callback: { allowCreditQuery: true } });
    const { prompt, sid, create } = await answered(rig);
    let last = prompt;
    for (let i = 0; i < 7; i++) {
      rig.t.clock.advance(50_000);
      last = await rig.gather(last, '1', sid); // the credit, then the menu again
      assert.equal(findOne(last.tree, 'Gather').name, 'Gather', `step ${i + 1} ended the call`);
    }
    const s = (await callSessionModel(testDb()).findOne({ 'callback.callSid': sid }).lean())!;
    const holds = await reservationModel(testDb()).find({ sessionId: s._id, leg: 'callback', state: 'held' }).lean();
    assert.ok(holds.length >= 3, `holds ${holds.length}`);
    assert.ok(s.callback.coveredSeconds! >= 350 + 60, `covered ${s.callback.coveredSeconds}`);
    await rig.status(create, sid, 'completed', { CallDuration: '360' });
    assert.equal(await balance(rig), 100_000 - 6_000); // 6 min at 0.10, none of it absorbed by the operator
    assert.equal(await reservationModel(testDb()).countDocuments({ sessionId: s._id, state: 'held' }), 0);
  });

  it('when the credit cannot pay the callback leg for the next step, then the caller hears so and the call ends; the balance ends at zero', async () => {
    // 0.30: the callback leg's first minute and the cheapest dial's (0.20) are paid, three minutes of the leg at most.
    await seedBothLegs(rig, { credit: '0.30', callback: { allowCreditQuery: true } });
    const { prompt, sid, create, inbound } = await answered(rig);
    rig.t.clock.advance(70_000);
    const menu = await rig.gather(prompt, '1', sid); // 70 s + the step: more is held, up to 180 s
    assert.equal(findOne(menu.tree, 'Gather').name, 'Gather');
    rig.t.clock.advance(60_000);
    const ended = await rig.gather(menu, '1', sid); // 130 s + the step is past what 0.30 pays
    assert.ok(
      says(ended).some((t) => /not have enough credit/.test(t)),
      JSON.stringify(says(ended)),
    );
    assert.equal(findOne(ended.tree, 'Hangup').name, 'Hangup');
    assert.equal((await sessionOf(inbound))!.reason, 'insufficient-credit');
    await rig.status(create, sid, 'completed', { CallDuration: '135' });
    assert.equal(await balance(rig), 0); // 135 s -> 3 min at 0.10
  });

  it("when the balance falls below the callback leg's first increment plus the cheapest dial before the callback is placed, then no calls.create (client-no-credit)", async () => {
    await seedBothLegs(rig, { credit: '1.00' });
    const ring = await rig.incoming(UK_CALLER);
    assert.equal((await sessionOf(ring.callSid))!.status, 'queued');
    // Spent elsewhere meanwhile (another call of the client): 0.1999 < 0.10 + 0.10.
    await clientModel(testDb()).updateOne({ _id: rig.clientId }, { $set: { balance: 1_999 } });
    assert.equal((await rig.runJobs()).length, 0);
    const s = (await sessionOf(ring.callSid))!;
    assert.equal(s.status, 'failed');
    assert.equal(s.reason, 'client-no-credit');
    assert.equal(await balance(rig), 1_999);
  });

  it('when chargeCallbackLeg is false, then only the dial is charged and nothing is held for the callback leg', async () => {
    await seedBothLegs(rig, { callback: { chargeCallbackLeg: false } });
    const { prompt, sid, create, inbound } = await answered(rig);
    const dial = await rig.gather(prompt, `*${PARIS.slice(1)}#`, sid);
    await rig.dialEnded(dial, sid, { status: 'completed', duration: 60 });
    await rig.status(create, sid, 'completed', { CallDuration: '120' });
    assert.equal(await balance(rig), 100_000 - 2_000);
    const record = await callRecord(rig, inbound);
    assert.deepEqual(
      record.charges.map((c: { leg: string }) => c.leg),
      ['dial'],
    );
    assert.equal(await reservationModel(testDb()).countDocuments({ leg: 'callback' }), 0);
  });

  it('when the callback is busy, then the attempt costs nothing and its hold is released', async () => {
    await seedBothLegs(rig);
    const ring = await rig.incoming(UK_CALLER);
    const creates = await rig.runJobs();
    assert.equal(creates.length, 1);
    assert.ok((await balance(rig)) < 100_000, 'nothing held before the callback was placed');
    await rig.status(creates[0]!, rig.createdSid(), 'busy', { CallDuration: '0' });
    assert.equal(await balance(rig), 100_000);
    assert.equal((await sessionOf(ring.callSid))!.status, 'failed');
  });

  it('when a machine answers the callback, then the attempt is charged and the timeline says a machine answered', async () => {
    await seedBothLegs(rig);
    const ring = await rig.incoming(UK_CALLER);
    const creates = await rig.runJobs();
    const sid = rig.createdSid();
    await rig.answer(creates[0]!, sid, 'machine_start');
    await rig.status(creates[0]!, sid, 'completed', { CallDuration: '7', AnsweredBy: 'machine_start' });
    assert.equal(await balance(rig), 100_000 - 1_000);
    const charged = (await sessionOf(ring.callSid))!.timeline.find((e) => e.event === 'callback-leg-charged');
    assert.deepEqual({ ...(charged!.detail as object) }, { callSid: sid, attempt: 1, status: 'completed', duration: 7, charge: 1_000, machine: true });
  });

  it("when the credit does not cover the callback leg's first increment plus the cheapest dial, then no callback (client-no-credit)", async () => {
    // 0.10 (the callback leg's minute to +44) + 0.10 (the cheapest dial: a minute to +44) = 0.20 needed
    await seedBothLegs(rig, { credit: '0.1999' });
    const ring = await rig.incoming(UK_CALLER);
    assert.equal((await rig.runJobs()).length, 0);
    assert.equal((await sessionOf(ring.callSid))!.reason, 'client-no-credit');
  });
});
