import assert from 'node:assert/strict';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { callSessionModel } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { creditEntryModel } from '../../models/credit-entry';
import { reservationModel } from '../../models/reservation';
import { findAll, findOne } from '../../src/twilio-sim/twiml-parse';
import { type Answer, CALLER, callSid, CallflowRig, NUMBER, says } from '../support/callflow';
import { testDb } from '../support/database';

/** Issue 4, behaviours 7 and 8: rating, the credit reservation and time limit, the charge after the dial. */

const UK_LANDLINE = '+442079460000';
const UK_MOBILE = '+447911123456';

const sessionOf = (sid: string) => callSessionModel(testDb()).findOne({ inboundCallSid: sid }).lean();
const balance = async (rig: CallflowRig) => (await clientModel(testDb()).findById(rig.clientId).lean())!.balance;
const callerAvailable = async (rig: CallflowRig) => (await authorizedCallerModel(testDb()).findById(rig.callerId).lean())!.available;

async function setRates(rig: CallflowRig, rates: Record<string, unknown>[]): Promise<void> {
  const client = await clientModel(testDb()).findById(rig.clientId).lean();
  await rig.admin.patch(`/api/rate-tables/${String(client!.rateTableId)}`, { rates }).expect(200);
}

/** Seeds (no password, no menu), rings, answers the callback: returns the destination prompt. */
async function atDestinationPrompt(rig: CallflowRig, opts: Parameters<CallflowRig['seed']>[0] = {}, rates?: Record<string, unknown>[]) {
  await rig.seed({ ...opts, callback: { requireCallerPassword: false, ...opts.callback } });
  if (rates) await setRates(rig, rates);
  const ring = await rig.incoming(CALLER);
  const creates = await rig.runJobs();
  assert.equal(creates.length, 1, `no callback: ${(await sessionOf(ring.callSid))?.reason}`);
  const sid = rig.createdSid();
  const prompt = await rig.answer(creates[0]!, sid);
  assert.ok(findOne(prompt.tree, 'Gather').attrs.action!.includes('/voice/callback/destination'), prompt.xml);
  return { prompt, sid, inbound: ring.callSid };
}

const dialOf = (a: Answer) => findOne(a.tree, 'Dial');
const timeLimit = (a: Answer) => Number(dialOf(a).attrs.timeLimit);
const verbs = (a: Answer) => a.tree.children.map((c) => c.name);
function assertDestinationPrompt(a: Answer): void {
  assert.ok(findOne(a.tree, 'Gather').attrs.action!.includes('/voice/callback/destination'), a.xml);
}

describe('call flow: dial and billing', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  describe('the rate and the reservation', () => {
    it('when two rates match, then the longest prefix prices the call', async () => {
      const { prompt, sid } = await atDestinationPrompt(rig, { client: { credit: '1.00' } }, [
        { prefix: '+44', perMinute: '0.0200', initialSeconds: 60, incrementSeconds: 60 },
        { prefix: '+447', perMinute: '0.1000', initialSeconds: 60, incrementSeconds: 60 },
        { prefix: '+1', perMinute: '0.0100', initialSeconds: 30, incrementSeconds: 6 },
      ]);
      // 1.00 at 0.10/min: 10 minutes to a UK mobile
      const mobile = await rig.gather(prompt, `*${UK_MOBILE.slice(1)}#`, sid);
      assert.equal(timeLimit(mobile), 600);
      const r1 = await reservationModel(testDb()).findOne({ destination: UK_MOBILE }).lean();
      assert.equal(r1!.rate.prefix, '+447');
      assert.equal(r1!.clientAmount, 10_000);

      // the mobile is busy; 1.00 at 0.02/min: 50 minutes to a UK landline
      const again = await rig.dialEnded(mobile, sid, { status: 'busy' });
      const landline = await rig.gather(again, `*${UK_LANDLINE.slice(1)}#`, sid);
      assert.equal(timeLimit(landline), 3000);
      const r2 = await reservationModel(testDb()).findOne({ destination: UK_LANDLINE }).lean();
      assert.equal(r2!.rate.prefix, '+44');
    });

    it('when the balance is 0.10 at 0.02/min in 60 s blocks, then timeLimit is 300 and 0.10 is held from the balance', async () => {
      const { prompt, sid } = await atDestinationPrompt(rig, { client: { credit: '0.10' } });
      const dial = await rig.gather(prompt, '00442079460000#', sid);
      assert.equal(dialOf(dial).attrs.timeLimit, '300');
      assert.equal(findOne(dial.tree, 'Number').text, UK_LANDLINE);
      assert.equal(dialOf(dial).attrs.callerId, NUMBER);
      assert.ok(says(dial).includes('You can talk for 5 minutes.'), JSON.stringify(says(dial)));
      const held = await reservationModel(testDb()).findOne({}).lean();
      assert.equal(held!.state, 'held');
      assert.equal(held!.seconds, 300);
      assert.equal(held!.clientAmount, 1_000);
      assert.equal(held!.callerAmount, 0, 'the unlimited caller ID was charged');
      assert.equal(await balance(rig), 0);
    });

    it('when the balance is not a whole number of increments, then the time limit is the whole increments it covers', async () => {
      // 0.0999 covers four 60 s blocks at 0.02 (0.08), not five
      const { prompt, sid } = await atDestinationPrompt(rig, { client: { credit: '0.0999' } });
      const dial = await rig.gather(prompt, '00442079460000#', sid);
      assert.equal(timeLimit(dial), 240);
      assert.equal((await reservationModel(testDb()).findOne({}).lean())!.clientAmount, 800);
      assert.equal(await balance(rig), 199);
    });

    it('when the authorized caller ID has limited credit, then its credit caps the time limit and it is charged as well as the client', async () => {
      const { prompt, sid } = await atDestinationPrompt(rig, { callerCredit: '0.04' });
      const dial = await rig.gather(prompt, '00442079460000#', sid);
      assert.equal(timeLimit(dial), 120);
      const held = await reservationModel(testDb()).findOne({}).lean();
      assert.equal(held!.clientAmount, 400);
      assert.equal(held!.callerAmount, 400);
      assert.equal(await balance(rig), 100_000 - 400);
      assert.equal(await callerAvailable(rig), 0);

      await rig.dialEnded(dial, sid, { status: 'completed', duration: 30 }); // one 60 s block: 0.02
      assert.equal(await balance(rig), 100_000 - 200);
      assert.equal(await callerAvailable(rig), 200);
      const charges = await creditEntryModel(testDb()).find({ kind: 'call-charge' }).lean();
      assert.deepEqual(charges.map((c) => [c.authorizedCallerId ? 'caller' : 'client', c.amount]).sort(), [
        ['caller', -200],
        ['client', -200],
      ]);
      const caller = await authorizedCallerModel(testDb()).findById(rig.callerId).lean();
      assert.deepEqual(caller!.pendingEntryIds, []);
    });

    it('when the client has unlimitedCredit, then timeLimit is 14400 and nothing is held', async () => {
      const { prompt, sid } = await atDestinationPrompt(rig, { client: { credit: '0.00', unlimitedCredit: true } });
      const dial = await rig.gather(prompt, '00442079460000#', sid);
      assert.equal(timeLimit(dial), 14_400);
      const held = await reservationModel(testDb()).findOne({}).lean();
      assert.equal(held!.clientAmount, 0);
      assert.equal(held!.callerAmount, 0);
      assert.equal(await balance(rig), 0);
    });

    it('when the credit does not cover the first increment of the destination, then "not have enough credit" and hang-up', async () => {
      // 0.01 covers a call to +1 (0.005 for 30 s) so the callback happens, but not 60 s to +44 (0.02)
      const { prompt, sid, inbound } = await atDestinationPrompt(rig, { client: { credit: '0.0100' } });
      const bye = await rig.gather(prompt, '00442079460000#', sid);
      assert.equal(findAll(bye.tree, 'Dial').length, 0);
      assert.ok(
        says(bye).some((t) => /not have enough credit/.test(t)),
        JSON.stringify(says(bye)),
      );
      assert.equal(verbs(bye).at(-1), 'Hangup');
      assert.equal(await balance(rig), 100);
      assert.equal(await reservationModel(testDb()).countDocuments({ state: { $in: ['held', 'reserving'] } }), 0);
      const s = await sessionOf(inbound);
      assert.equal(s!.status, 'completed');
      assert.equal(s!.reason, 'insufficient-credit');
    });

    it('when the limited caller ID credit does not cover the first increment, then "not have enough credit"', async () => {
      const { prompt, sid } = await atDestinationPrompt(rig, { callerCredit: '0.0100' });
      const bye = await rig.gather(prompt, '00442079460000#', sid);
      assert.ok(
        says(bye).some((t) => /not have enough credit/.test(t)),
        JSON.stringify(says(bye)),
      );
      assert.equal(await balance(rig), 100_000);
      assert.equal(await callerAvailable(rig), 100);
    });
  });

  describe('after the dial', () => {
    const withFee = [
      { prefix: '+44', perMinute: '0.0200', initialSeconds: 30, incrementSeconds: 6, connectFee: '0.05' },
      { prefix: '+1', perMinute: '0.0100', initialSeconds: 30, incrementSeconds: 6 },
    ];

    it("when the dial ends, then the charge follows the rate's initial and increment seconds and connect fee, and the rest is released", async () => {
      const { prompt, sid, inbound } = await atDestinationPrompt(rig, {}, withFee);
      const dial = await rig.gather(prompt, '00442079460000#', sid);
      const held = await reservationModel(testDb()).findOne({}).lean();
      assert.equal(held!.clientAmount, 500 + 48_000); // connect fee + 4 h at 0.02/min
      assert.equal(await balance(rig), 100_000 - 48_500);

      // 45 s: 30 s initial + 3 increments of 6 s = 48 s at 0.02/min = 0.016, plus the 0.05 connect fee
      const dialSid = callSid();
      const after = await rig.dialEnded(dial, sid, { status: 'completed', duration: 45, dialSid });
      assert.deepEqual(verbs(after), ['Hangup']);
      assert.equal(await balance(rig), 100_000 - 660);
      const settled = await reservationModel(testDb()).findById(held!._id).lean();
      assert.equal(settled!.state, 'settled');
      assert.equal(settled!.charge, 660);
      assert.equal(settled!.dialCallSid, dialSid);
      const client = await clientModel(testDb()).findById(rig.clientId).lean();
      assert.deepEqual(client!.pendingEntryIds, []);
      const [charge, ...more] = await creditEntryModel(testDb()).find({ kind: 'call-charge' }).lean();
      assert.equal(more.length, 0);
      assert.equal(charge!.amount, -660);
      assert.equal(charge!.balanceAfter, 100_000 - 660);
      assert.equal((await sessionOf(inbound))!.reason, 'dial-completed');

      // Twilio posts the same dial result again: same answer, charged once
      const again = await rig.dialEnded(dial, sid, { status: 'completed', duration: 45, dialSid });
      assert.equal(again.xml, after.xml);
      assert.equal(await balance(rig), 100_000 - 660);
      assert.equal(await creditEntryModel(testDb()).countDocuments({ kind: 'call-charge' }), 1);
    });

    it('when the dial never connected (duration 0), then nothing is charged, not even the connect fee', async () => {
      const { prompt, sid } = await atDestinationPrompt(rig, {}, withFee);
      const dial = await rig.gather(prompt, '00442079460000#', sid);
      await rig.dialEnded(dial, sid, { status: 'no-answer', duration: 0 });
      assert.equal(await balance(rig), 100_000);
    });

    it('when the time limit is reached, then the https disconnect sound is played and the call hung up', async () => {
      const sound = 'https://sounds.example.test/credit-over.mp3';
      const { prompt, sid, inbound } = await atDestinationPrompt(rig, { client: { credit: '0.10' }, callback: { disconnectSound: sound } });
      const dial = await rig.gather(prompt, '00442079460000#', sid);
      assert.equal(timeLimit(dial), 300);
      const after = await rig.dialEnded(dial, sid, { status: 'completed', duration: 300 });
      assert.deepEqual(verbs(after), ['Play', 'Hangup']);
      assert.equal(findOne(after.tree, 'Play').text, sound);
      assert.equal(await balance(rig), 0);
      assert.equal((await sessionOf(inbound))!.reason, 'credit-ended');
    });

    it('when the time limit is reached and the extension has no disconnect sound, then a spoken fallback and hang-up', async () => {
      const { prompt, sid } = await atDestinationPrompt(rig, { client: { credit: '0.10' } });
      const dial = await rig.gather(prompt, '00442079460000#', sid);
      const after = await rig.dialEnded(dial, sid, { status: 'completed', duration: 300 });
      assert.deepEqual(verbs(after), ['Say', 'Hangup']);
      assert.equal(says(after)[0], 'Your credit has run out. Goodbye.');
    });

    it('when the call ends well before the time limit, then no disconnect sound, just hang-up', async () => {
      const { prompt, sid } = await atDestinationPrompt(rig, { client: { credit: '0.10' }, callback: { disconnectSound: 'https://sounds.example.test/x.mp3' } });
      const dial = await rig.gather(prompt, '00442079460000#', sid);
      const after = await rig.dialEnded(dial, sid, { status: 'completed', duration: 100 });
      assert.deepEqual(verbs(after), ['Hangup']);
      assert.equal(await balance(rig), 1_000 - 400); // two 60 s blocks
    });

    it('when the destination is busy, does not answer, or fails, then the caller hears so and the destination prompt again, at most 3 dial attempts', async () => {
      const { prompt, sid, inbound } = await atDestinationPrompt(rig);
      let a = prompt;
      for (const [status, message] of [
        ['busy', 'The number you called is busy.'],
        ['no-answer', 'The number you called did not answer.'],
      ] as const) {
        const dial = await rig.gather(a, '00442079460000#', sid);
        dialOf(dial);
        a = await rig.dialEnded(dial, sid, { status, duration: 0 });
        assert.equal(says(a)[0], message);
        assertDestinationPrompt(a);
      }
      const third = await rig.gather(a, '00442079460000#', sid);
      const bye = await rig.dialEnded(third, sid, { status: 'failed', duration: 0 });
      assert.deepEqual(says(bye), ['The call could not be connected.', 'Goodbye.']);
      assert.equal(findAll(bye.tree, 'Gather').length, 0);
      assert.equal(verbs(bye).at(-1), 'Hangup');

      const reservations = await reservationModel(testDb()).find({}).lean();
      assert.equal(reservations.length, 3);
      assert.ok(reservations.every((r) => r.state === 'settled' && r.charge === 0));
      assert.equal(await balance(rig), 100_000);
      const s = await sessionOf(inbound);
      assert.equal(s!.status, 'completed');
      assert.equal(s!.destination.dials, 3);
    });

    it('when the callback leg reports completed before the dial action arrives (the caller hung up), then the dial is still charged at once', async () => {
      await rig.seed({ callback: { requireCallerPassword: false } });
      const ring = await rig.incoming(CALLER);
      const [create] = await rig.runJobs();
      const cbSid = rig.createdSid();
      const prompt = await rig.answer(create!, cbSid);
      const dial = await rig.gather(prompt, '00442079460000#', cbSid);
      await rig.status(create!, cbSid, 'completed', { CallDuration: '80' });
      await rig.dialEnded(dial, cbSid, { status: 'completed', duration: 61 });
      const r = await reservationModel(testDb()).findOne({}).lean();
      assert.equal(r!.state, 'settled');
      assert.equal(r!.charge, 400);
      assert.equal(await balance(rig), 100_000 - 400);
      const s = await sessionOf(ring.callSid);
      assert.equal(s!.status, 'completed');
      assert.ok(s!.timeline.some((e) => e.event === 'dial-ended'));
    });

    it('when a busy destination is followed by a refused number, then the destination try counter starts fresh after each dial', async () => {
      const { prompt, sid } = await atDestinationPrompt(rig);
      const dial = await rig.gather(prompt, '00442079460000#', sid);
      const again = await rig.dialEnded(dial, sid, { status: 'busy' });
      const retry = await rig.gather(again, '12#', sid);
      assert.equal(says(retry)[0], 'That number is not valid.');
      assertDestinationPrompt(retry);
      assert.equal(findOne((await rig.gather(retry, '00442079460000#', sid)).tree, 'Number').text, UK_LANDLINE);
    });
  });
});
