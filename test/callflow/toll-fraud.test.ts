import assert from 'node:assert/strict';
import supertest from 'supertest';
import { callSessionModel } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { creditEntryModel } from '../../models/credit-entry';
import { lockoutModel } from '../../models/lockout';
import { reservationModel } from '../../models/reservation';
import { findAll, findOne } from '../../src/twilio-sim/twiml-parse';
import { targetCounterModel } from '../../models/target-counter';
import { countEventUpTo, countWithinHour } from '../../src/domain/call-sessions/target-counters';
import { CALLER, CALLER_PIN, CallflowRig, callSid, lockOut, NUMBER, says } from '../support/callflow';
import { testDb } from '../support/database';
import { TEST_ACCOUNT_SID } from '../support/harness';

/** Issue 11: no callback to a number the client may not call or nobody should call; PIN guesses; 50 sessions at once. */

const UK = '+447911123456';
const sessionOf = (sid: string) => callSessionModel(testDb()).findOne({ inboundCallSid: sid }).lean();
const RATES = [
  { prefix: '+44', perMinute: '0.1000', initialSeconds: 60, incrementSeconds: 60 },
  { prefix: '+33', perMinute: '0.2000', initialSeconds: 60, incrementSeconds: 60 },
  { prefix: '+881', perMinute: '1.0000', initialSeconds: 60, incrementSeconds: 60 },
];

async function seed(rig: CallflowRig, opts: { callback?: Record<string, unknown>; client?: Record<string, unknown>; rates?: Record<string, unknown>[] } = {}) {
  await rig.seed({
    client: opts.client ?? {},
    callback: { returnCalls: 'caller', requireCallerPassword: false, chargeCallbackLeg: true, retry: { attempts: 1 }, ...opts.callback },
  });
  const client = await clientModel(testDb()).findById(rig.clientId).lean();
  await rig.admin.patch(`/api/rate-tables/${String(client!.rateTableId)}`, { rates: opts.rates ?? RATES }).expect(200);
}

/** An incoming call: the session's reason, and the calls.create requests it led to. */
async function ring(rig: CallflowRig, from: string) {
  const r = await rig.incoming(from);
  const creates = await rig.runJobs();
  return { reason: (await sessionOf(r.callSid))!.reason, creates };
}

describe('toll fraud: targets, rate limits and PIN guessing', function () {
  // Several full callbacks per test (six with scrypt PIN checks): a wide margin for a loaded machine.
  this.timeout(540_000);
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when the target is denied by the client (allow +1, deny +44), then no calls.create (callback-target-denied)', async () => {
    await seed(rig, { client: { allowPrefixes: ['+1'], denyPrefixes: ['+44'] } });
    const r = await ring(rig, '+442071838751');
    assert.equal(r.reason, 'callback-target-denied');
    assert.equal(r.creates.length, 0);
  });

  it('when the target has no rate and the callback leg is charged, then no calls.create (no-rate-for-callback)', async () => {
    await seed(rig, { rates: [RATES[1]!] }); // only +33
    const r = await ring(rig, UK);
    assert.equal(r.reason, 'no-rate-for-callback');
    assert.equal(r.creates.length, 0);
  });

  it('when the target is on the default operator deny list (+881), then no callback; the dial of one is refused as well', async () => {
    await seed(rig);
    const settings = await rig.admin.get('/api/settings/fraud').expect(200);
    for (const p of ['+870', '+881', '+882', '+883', '+979']) assert.ok(settings.body.denyPrefixes.includes(p), p);
    const r = await ring(rig, '+881631234567');
    assert.equal(r.reason, 'callback-target-denied');
    assert.equal(r.creates.length, 0);

    const ok = await rig.incoming(UK);
    const creates = await rig.runJobs();
    const sid = rig.createdSid();
    const prompt = await rig.answer(creates[0]!, sid);
    const refused = await rig.gather(prompt, '*881631234567#', sid);
    assert.ok(
      says(refused).some((t) => /not allowed/i.test(t)),
      JSON.stringify(says(refused)),
    );
    assert.equal(await reservationModel(testDb()).countDocuments({ leg: 'dial' }), 0);
    assert.ok(ok.callSid);
  });

  it('when a client key asks for the fraud settings, then 404; the operator changes them within their bounds', async () => {
    await seed(rig);
    const { key } = await clientKey(rig);
    const res = await supertest(rig.app).get('/api/settings/fraud').set('Authorization', `Bearer ${key}`);
    assert.equal(res.status, 404);
    const bad = await rig.admin.patch('/api/settings/fraud', { maxCallbacksPerTargetPerHour: 0 }).expect(400);
    assert.ok(JSON.stringify(bad.body).includes('maxCallbacksPerTargetPerHour'));
    const changed = await rig.admin.patch('/api/settings/fraud', { maxWrongPinsPerTargetPerHour: 3 }).expect(200);
    assert.equal(changed.body.maxWrongPinsPerTargetPerHour, 3);
    assert.equal(changed.body.maxCallbacksPerTargetPerHour, 10);
  });

  it('when a target got maxCallbacksPerTargetPerHour callbacks within the hour, then the next call gets none (callback-rate-limited), and an hour later it does', async () => {
    await seed(rig);
    await rig.admin.patch('/api/settings/fraud', { maxCallbacksPerTargetPerHour: 2 }).expect(200);
    for (let i = 0; i < 2; i++) {
      const r = await ring(rig, UK);
      assert.equal(r.creates.length, 1, `callback ${i + 1}: ${r.reason}`);
      await rig.status(r.creates[0]!, rig.createdSid(), 'no-answer'); // ends the session (one attempt)
    }
    const third = await ring(rig, UK);
    assert.equal(third.reason, 'callback-rate-limited');
    assert.equal(third.creates.length, 0);
    rig.t.clock.advance(61 * 60_000);
    assert.equal((await ring(rig, UK)).creates.length, 1);
  });

  it('when retries of one callback reach maxCallbacksPerTargetPerHour, then the next attempt is not placed (callback-rate-limited): every attempt counts', async () => {
    await seed(rig, { callback: { retry: { attempts: 3, delaySeconds: 10 } } });
    await rig.admin.patch('/api/settings/fraud', { maxCallbacksPerTargetPerHour: 2 }).expect(200);
    const r = await rig.incoming(UK);
    const first = await rig.runJobs();
    assert.equal(first.length, 1);
    await rig.status(first[0]!, rig.createdSid(), 'no-answer');
    const second = await rig.runJobs(15_000);
    assert.equal(second.length, 1, 'the first retry is within the cap');
    await rig.status(second[0]!, rig.createdSid(), 'no-answer');
    assert.equal((await rig.runJobs(15_000)).length, 0, 'a third call to the target within the hour');
    const s = (await sessionOf(r.callSid))!;
    assert.equal(s.reason, 'callback-rate-limited');
    assert.equal(s.status, 'failed');
    assert.equal(await reservationModel(testDb()).countDocuments({ sessionId: s._id, state: 'held' }), 0, 'a hold left behind');
  });

  it('when 20 placements to one target are counted at once against a cap of 10, then exactly 10 pass', async () => {
    const id = `callbacks:+44${Math.floor(Math.random() * 1e9)}`;
    const now = rig.t.clock.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => countEventUpTo(testDb(), id, now, 10)));
    assert.equal(results.filter((r) => r.counted).length, 10);
    const doc = await targetCounterModel(testDb()).findById(id).lean();
    assert.equal(countWithinHour(doc, now), 10, 'a refused placement left its count');
  });

  it('when the target is locked out while a session waits for its PIN, then even the right PIN is refused (target-locked-out)', async () => {
    await rig.seed({ callback: { requireCallerPassword: true, chargeCallbackLeg: false } });
    const { first, sid, inbound } = await rig.callbackAnswered(CALLER);
    // Wrong PINs in another extension's sessions locked the target out of this one meanwhile.
    const s = (await sessionOf(inbound))!;
    const now = rig.t.clock.now();
    await lockOut(testDb(), s.extensionId, CALLER, now);
    const answer = await rig.gather(first, `${CALLER_PIN}#`, sid);
    assert.ok(
      says(answer).some((t) => /Too many wrong passwords/.test(t)),
      JSON.stringify(says(answer)),
    );
    assert.equal(findOne(answer.tree, 'Hangup').name, 'Hangup');
    const after = (await sessionOf(inbound))!;
    assert.equal(after.reason, 'target-locked-out');
    assert.equal(after.auth.passed, false);
  });

  it('when six sessions each enter two wrong PINs and hang up, then the target is locked out and the next call gets no callback', async () => {
    await rig.seed({ callback: { requireCallerPassword: true, chargeCallbackLeg: false } });
    await rig.admin.patch('/api/settings/fraud', { maxWrongPinsPerTargetPerHour: 12 }).expect(200);
    for (let i = 0; i < 6; i++) {
      const { first, sid } = await rig.callbackAnswered(CALLER);
      const wrong = await rig.gather(first, '0000', sid);
      const last = await rig.gather(wrong, '1111', sid);
      assert.equal(await lockoutModel(testDb()).countDocuments({}), i === 5 ? 1 : 0, `after session ${i + 1}`);
      if (i < 5) await rig.status(rig.standin.callsCreated().at(-1)!, sid, 'completed', { CallDuration: '30' });
      else assert.equal(findOne(last.tree, 'Hangup').name, 'Hangup');
    }
    const r = await ring(rig, CALLER);
    assert.equal(r.reason, 'target-locked-out');
    assert.equal(r.creates.length, 0);
    const locked = await callSessionModel(testDb()).findOne({ 'timeline.event': 'target-locked-out' }).lean();
    assert.ok(locked, 'the lockout is not in any timeline');
  });

  it('when 50 sessions of one limited client dial at once and the webhooks interleave, then the balance never ends below zero and equals the credit minus the charges', async function () {
    this.timeout(720_000);
    await seed(rig, { client: { credit: '3.00' }, callback: { triggerAfterSeconds: 0 } });
    const callers = Array.from({ length: 50 }, (_, i) => `+4479111${String(23_400 + i).padStart(5, '0')}`);
    await Promise.all(
      callers.map((from) => rig.t.signedPost('/voice/incoming', { CallSid: callSid(), AccountSid: TEST_ACCOUNT_SID, From: from, To: NUMBER, CallStatus: 'ringing' })),
    );
    const creates = await rig.runJobs();
    assert.ok(creates.length > 0 && creates.length < 50, `${creates.length} callbacks for 3.00`);
    const legs = await Promise.all(
      creates.map(async (c, i) => {
        const sid = (c.response!.body as { sid: string }).sid;
        const prompt = await rig.answer(c, sid);
        return { c, sid, prompt, i };
      }),
    );
    const dials = await Promise.all(legs.map(async (l) => ({ ...l, dial: await rig.gather(l.prompt, '*33142685300#', l.sid) })));
    // Status callbacks before, after and between the dial results; callback legs far longer than held.
    await Promise.all(
      dials.map(async (d) => {
        const dialed = findAll(d.dial.tree, 'Dial')[0] ?? null;
        const limit = dialed ? Number(dialed.attrs.timeLimit) : 0;
        const cbStatus = () => rig.status(d.c, d.sid, 'completed', { CallDuration: String(limit + 600 * (d.i % 3)) });
        if (d.i % 2) await cbStatus();
        if (dialed) await rig.dialEnded(d.dial, d.sid, { status: 'completed', duration: limit });
        if (!(d.i % 2)) await cbStatus();
      }),
    );
    const client = await clientModel(testDb()).findById(rig.clientId).lean();
    assert.ok(client!.balance >= 0, `balance ${client!.balance}`);
    const charged = await creditEntryModel(testDb()).find({ clientId: client!._id, kind: 'call-charge', authorizedCallerId: null }).lean();
    assert.equal(client!.balance, 30_000 + charged.reduce((sum, e) => sum + e.amount, 0));
    assert.equal(await reservationModel(testDb()).countDocuments({ state: { $in: ['held', 'reserving', 'settling'] } }), 0);
  });

  it('when a client key sets callerId.number.value to a number it does not own, then 400 naming it; the operator key may', async () => {
    await rig.seed();
    const { key } = await clientKey(rig);
    const foreign = { callerId: { number: { mode: 'user', value: '+15005550006' } } };
    const refused = await supertest(rig.app).patch(`/api/extensions/${rig.extensionId}`).set('Authorization', `Bearer ${key}`).send(foreign);
    assert.equal(refused.status, 400);
    assert.ok(
      refused.body.error.fields.some((f: { path: string }) => f.path === 'callerId.number.value'),
      JSON.stringify(refused.body),
    );
    const own = await supertest(rig.app)
      .patch(`/api/extensions/${rig.extensionId}`)
      .set('Authorization', `Bearer ${key}`)
      .send({ callerId: { number: { mode: 'user', value: NUMBER } } });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    const sip = { callerId: { number: { mode: 'equipment' }, name: { mode: 'user', value: 'Bank' }, sendIdentityHeaders: true } };
    const name = await supertest(rig.app).patch(`/api/extensions/${rig.extensionId}`).set('Authorization', `Bearer ${key}`).send(sip);
    assert.equal(name.status, 400);
    assert.ok(
      name.body.error.fields.some((f: { path: string }) => f.path === 'callerId.name.value'),
      JSON.stringify(name.body),
    );
    await rig.admin.patch(`/api/extensions/${rig.extensionId}`, foreign).expect(200);
  });
});

async function clientKey(rig: CallflowRig): Promise<{ key: string }> {
  const res = await rig.admin.post(`/api/clients/${rig.clientId}/api-keys`, { name: 'tenant' }).expect(201);
  return { key: res.body.key };
}
