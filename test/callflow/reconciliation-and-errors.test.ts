import assert from 'node:assert/strict';
import supertest from 'supertest';
import { callSessionModel } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { reservationModel } from '../../models/reservation';
import { createApp } from '../../routes/app';
import { sweep } from '../../src/callflow/sweeper';
import { systemClock } from '../../src/clock';
import { connectDatabase } from '../../src/db/connect';
import { findAll, findOne, parseTwiml } from '../../src/twilio-sim/twiml-parse';
import { assertValidTwiml } from '../../src/twilio-sim/twiml-validator';
import { CallflowRig, CALLER, CALLER_PIN, callSid } from '../support/callflow';
import { testDb, testDbUri } from '../support/database';
import { createTestApp, TEST_ACCOUNT_SID, twilioSignatureFor } from '../support/harness';

describe('call flow: reconciliation and errors', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  async function dialUntilHeld() {
    await rig.seed();
    await rig.incoming(CALLER);
    const [create] = await rig.runJobs();
    const sid = rig.createdSid();
    const answered = await rig.answer(create!, sid);
    const prompt = await rig.gather(answered, CALLER_PIN, sid);
    const dial = await rig.gather(prompt, '2025550186#', sid);
    findOne(dial.tree, 'Dial');
    return { create: create!, sid, dial };
  }

  it('when the <Dial action> never comes, then the sweeper settles the reservation from the duration Twilio reports', async () => {
    const { sid } = await dialUntilHeld();
    const r = await reservationModel(testDb()).findOne({ state: 'held' }).lean();
    assert.ok(r);
    // Twilio's record of the dialed leg: a child of the callback call, 125 s.
    const child = await rig.t.deps.twilio.calls.create({ to: '+12025550186', from: '+442071838750', url: 'https://example.com/x' });
    rig.standin.setCallState(child.sid, { status: 'completed', duration: 125, parentCallSid: sid });

    assert.equal((await sweep(rig.t.deps)).reservationsSettled, 0, 'settled before its time limit passed');
    rig.t.clock.advance((r!.seconds + 16 * 60) * 1000);
    const report = await sweep(rig.t.deps);
    assert.equal(report.reservationsSettled, 1);
    const settled = await reservationModel(testDb()).findById(r!._id).lean();
    assert.equal(settled!.state, 'settled');
    assert.equal(settled!.duration, 125);
    // 0.01/min, 30 s then 6 s blocks: 126 s = 0.021
    assert.equal(settled!.charge, 210);
    assert.equal((await clientModel(testDb()).findById(rig.clientId).lean())!.balance, 100_000 - 210);
    assert.equal((await sweep(rig.t.deps)).reservationsSettled, 0, 'settled twice');
  });

  it('when the dial action arrives after the sweeper settled, then nothing is charged twice', async () => {
    const { sid, dial } = await dialUntilHeld();
    const r = await reservationModel(testDb()).findOne({ state: 'held' }).lean();
    rig.t.clock.advance((r!.seconds + 16 * 60) * 1000);
    await sweep(rig.t.deps); // Twilio knows no child call: settled at 0
    await rig.dialEnded(dial, sid, { status: 'completed', duration: 30 });
    assert.equal((await clientModel(testDb()).findById(rig.clientId).lean())!.balance, 100_000);
  });

  it('when the database is gone during a webhook, then the voice route still answers valid TwiML, never a 500', async () => {
    const { uri, dbName } = testDbUri();
    const conn = await connectDatabase(uri, dbName);
    const app = createApp({ ...rig.t.deps, db: conn });
    await conn.close(true);
    const params = { CallSid: callSid(), AccountSid: TEST_ACCOUNT_SID, From: CALLER, To: '+442071838750', CallStatus: 'ringing' };
    const res = await supertest(app).post('/voice/incoming').set('X-Twilio-Signature', twilioSignatureFor('/voice/incoming', params)).type('form').send(params);
    assert.equal(res.status, 200);
    await assertValidTwiml(res.text);
    const tree = parseTwiml(res.text);
    assert.match(findOne(tree, 'Say').text, /sorry/i);
    assert.equal(findAll(tree, 'Hangup').length, 1);
  });

  it('when a voice webhook gets malformed or injected fields, then it answers valid TwiML or 4xx, never a 500', async () => {
    await rig.seed();
    const cases: Record<string, string>[] = [
      { CallSid: 'not-a-sid', From: CALLER, To: '+442071838750' },
      { CallSid: callSid(), 'From[$ne]': 'x', To: '+442071838750' },
      { CallSid: callSid(), From: 'x'.repeat(5000), To: '+442071838750' },
      { CallSid: callSid(), From: CALLER },
    ];
    for (const params of cases) {
      const pending = supertest(rig.app).post('/voice/incoming').set('X-Twilio-Signature', twilioSignatureFor('/voice/incoming', params)).type('form').send(params);
      setTimeout(() => rig.t.clock.advance(60_000), 50);
      const res = await pending;
      assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${res.status} for ${JSON.stringify(params).slice(0, 80)}`);
      if (res.status === 200) await assertValidTwiml(res.text);
    }
    for (const path of ['/voice/callback/answer?session=zzz', '/voice/callback/pin?session=0123456789abcdef01234567&step=abc', '/voice/status']) {
      const params = { CallSid: callSid(), AccountSid: TEST_ACCOUNT_SID };
      const res = await supertest(rig.app).post(path).set('X-Twilio-Signature', twilioSignatureFor(path, params)).type('form').send(params);
      assert.equal(res.status, 200, path);
      await assertValidTwiml(res.text);
    }
  });

  it('when the ring time is real, then the reject is really held that long (the one test on the real clock)', async function () {
    this.timeout(60_000);
    await rig.seed({ callback: { triggerAfterSeconds: 1 } });
    const real = createTestApp({ twilioApiBaseUrl: 'http://127.0.0.1:9', clock: systemClock });
    const params = { CallSid: callSid(), AccountSid: TEST_ACCOUNT_SID, From: CALLER, To: '+442071838750', CallStatus: 'ringing' };
    const started = Date.now();
    const res = await real.signedPost('/voice/incoming', params);
    const took = Date.now() - started;
    assert.match(res.text, /<Reject reason="busy"\/>/);
    assert.ok(took >= 990 && took < 1_900, `held ${took} ms`);
    const s = await callSessionModel(testDb()).findOne({ inboundCallSid: params.CallSid }).lean();
    assert.equal(s!.status, 'queued');
  });
});
