import assert from 'node:assert/strict';
import supertest from 'supertest';
import { clientModel } from '../../models/client';
import { callSessionModel } from '../../models/call-session';
import { reservationModel } from '../../models/reservation';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { CALLER, callSid, CallflowRig } from '../support/callflow';
import { testDb } from '../support/database';
import { TEST_ACCOUNT_SID, twilioSignatureFor } from '../support/harness';

/**
 * Issue 15, item 4: Twilio's validator drops a repeated identical pair, so a signed form can carry a
 * field twice; the voice edge refuses such forms, and every voice route checks CallSid's format.
 */

/** A form with `params` signed as Twilio would, sent with `extra` pairs appended (not signed). */
function signedWithExtra(rig: CallflowRig, path: string, params: Record<string, string>, extra: [string, string][]) {
  const body = new URLSearchParams(params);
  for (const [k, v] of extra) body.append(k, v);
  return supertest(rig.app).post(path).set('X-Twilio-Signature', twilioSignatureFor(path, params)).type('form').send(body.toString());
}

describe("hardening: the voice webhooks' form (issue 15, item 4)", () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when a signed dial result repeats DialCallDuration=600, then it answers 400 naming the field and nothing is billed or moved', async () => {
    await rig.seed({ callback: { requireCallerPassword: false } });
    const ring = await rig.incoming(CALLER);
    const creates = await rig.runJobs();
    const sid = rig.createdSid();
    const prompt = await rig.answer(creates[0]!, sid);
    const dial = await rig.gather(prompt, '00442079460000#', sid);
    const action = CallflowRig.local(findOne(dial.tree, 'Dial').attrs.action!);
    const params = { CallSid: sid, AccountSid: TEST_ACCOUNT_SID, DialCallStatus: 'completed', DialCallDuration: '600', DialCallSid: callSid() };
    const before = await callSessionModel(testDb()).findOne({ inboundCallSid: ring.callSid }).lean();
    const balance = (await clientModel(testDb()).findById(rig.clientId).lean())!.balance;

    const res = await signedWithExtra(rig, action, params, [['DialCallDuration', '600']]);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.fields[0].path, 'DialCallDuration');

    const after = await callSessionModel(testDb()).findOne({ inboundCallSid: ring.callSid }).lean();
    assert.equal(after!.step, before!.step, 'the step was claimed');
    assert.equal(after!.timeline.length, before!.timeline.length);
    assert.equal((await reservationModel(testDb()).findOne({}).lean())!.state, 'held');
    assert.equal((await clientModel(testDb()).findById(rig.clientId).lean())!.balance, balance);
    // The genuine dial result still settles it from 600 s afterwards.
    await rig.post(action, params);
    assert.equal((await reservationModel(testDb()).findOne({}).lean())!.duration, 600);
  });

  it('when any voice route gets a repeated field, a malformed CallSid or DialCallSid, then it answers 400 and stores nothing', async () => {
    await rig.seed();
    const session = '0123456789abcdef01234567';
    const cases: [string, Record<string, string>, [string, string][], string][] = [
      ['/voice/incoming', { CallSid: callSid(), From: CALLER, To: '+442071838750' }, [['From', CALLER]], 'From'],
      ['/voice/incoming', { CallSid: 'CA0123', From: CALLER, To: '+442071838750' }, [], 'CallSid'],
      ['/voice/status', { CallSid: callSid(), CallStatus: 'completed' }, [['CallStatus', 'completed']], 'CallStatus'],
      [`/voice/callback/answer?session=${session}`, { CallSid: 'CAxyz' }, [], 'CallSid'],
      [`/voice/callback/pin?session=${session}&step=1`, { AccountSid: TEST_ACCOUNT_SID, Digits: '1234#' }, [], 'CallSid'],
      [`/voice/callback/menu?session=${session}&step=1`, { CallSid: callSid(), Digits: '1' }, [['Digits', '1']], 'Digits'],
      [`/voice/callback/dial-result?session=${session}&step=1`, { CallSid: callSid(), DialCallSid: 'CA-not-a-sid', DialCallStatus: 'completed' }, [], 'DialCallSid'],
    ];
    for (const [path, params, extra, field] of cases) {
      const res = await signedWithExtra(rig, path, params, extra);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(params)}: ${res.status} ${res.text}`);
      assert.equal(res.body.error.fields[0].path, field, path);
    }
    assert.equal(await callSessionModel(testDb()).countDocuments({}), 0);
  });
});
