import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { creditEntryModel } from '../../models/credit-entry';
import { SMS_TEXT } from '../../src/callflow/sms-twiml';
import type { CallResult } from '../../src/twilio-sim/call-result';
import { runRequestScenario, runSmsScenario } from '../../src/twilio-sim/request-scenarios';
import { testDb } from '../support/database';
import { TEST_ACCOUNT_SID, TEST_ADMIN_KEY, TEST_AUTH_TOKEN } from '../support/harness';
import { type PhoneRun, SERVICE_NUMBER, SIM_CALLER, SIM_CALLER_PIN, seedDemo, startPhoneRun, stopPhoneRun } from '../support/phone-rig';

/**
 * Issue 14, "the phone simulator shows an API-requested callback end to end", and its SMS: the phone
 * asks for the callback (`npm run phone -- --sms "<body>"` / `--request`), non-interactively, against
 * the real service; then it is called back and plays the conversation as after a ring.
 */
const STRANGER = '+12025550199';
const DESTINATION = '+12025550186';

const says = (c: CallResult | null) => (c?.events ?? []).flatMap((e) => (e.type === 'say' ? [e.text] : []));
const dialedTo = (c: CallResult | null) => (c?.events ?? []).flatMap((e) => (e.type === 'dial-start' ? [e.target.address] : []));

describe('phone simulator: a callback asked for by SMS or through the API', function () {
  this.timeout(60_000);
  let run: PhoneRun;
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' || process.env.SIM_TRANSCRIPT) console.log(run.transcript.join('\n'));
    await stopPhoneRun(run);
  });

  const smsAs = (from: string, body: string, waitMs = 10_000) =>
    runSmsScenario(
      run.sim,
      { serviceUrl: run.base, from, to: SERVICE_NUMBER, body, callbackWaitMs: waitMs, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, apiKey: TEST_ADMIN_KEY },
      (l) => run.transcript.push(l),
    );

  it('when the phone texts a number, then it is told a callback is coming, is called back, gives the password and is connected to that number, charged', async () => {
    run = await startPhoneRun([`${SIM_CALLER_PIN}#`, '2'], { outcome: 'answer', answerAfterS: 2, talkS: 60 });
    await seedDemo(run.admin, run.t.app);
    const r = await smsAs(SIM_CALLER, '+1 202 555 0186');

    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.reply, [SMS_TEXT.coming]);
    assert.equal(r.outcome, 'completed');
    assert.match(says(r.callback).join(' | '), /password/);
    assert.doesNotMatch(says(r.callback).join(' | '), /dial the number/, 'the destination prompt is skipped');
    assert.deepEqual(dialedTo(r.callback), [DESTINATION]);
    const created = run.sim.standin.callsCreated();
    assert.equal(created.length, 1);
    assert.equal(created[0]!.params.To, SIM_CALLER);
    assert.equal(created[0]!.params.From, SERVICE_NUMBER);
    assert.ok(
      r.transcript.some((l) => l === `[sms]      reply from ${SERVICE_NUMBER}: "${SMS_TEXT.coming}"`),
      r.transcript.join('\n'),
    );
    const session = await callSessionModel(testDb())
      .findOne({ inboundCallSid: `sms:${r.sms.messageSid}` })
      .lean();
    assert.equal(session?.origin, 'sms');
    assert.equal(session?.status, 'completed');
    // 60 s at 0.01/min (30/6): 0.01, booked as the dial leg's charge and printed by the phone.
    const charge = await creditEntryModel(testDb()).findOne({ kind: 'call-charge' }).lean();
    assert.equal(charge?.amount, -100);
    assert.ok(
      r.transcript.some((l) => /charged, dial leg to \+12025550186: 0\.01/.test(l)),
      r.transcript.join('\n'),
    );
  });

  it('when a stranger texts, then the phone shows the refusal text and no callback comes', async () => {
    run = await startPhoneRun([], { outcome: 'answer', answerAfterS: 2, talkS: 10 });
    await seedDemo(run.admin, run.t.app);
    const r = await smsAs(STRANGER, 'call me', 2_000);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.reply, [SMS_TEXT.refused]);
    assert.equal(r.outcome, 'rejected');
    assert.equal(r.callback, null);
    assert.equal(run.sim.standin.callsCreated().length, 0);
  });

  it('when the phone asks the API for a callback to a destination, then the call record is created, the phone is called back and connected after the password', async () => {
    run = await startPhoneRun([`${SIM_CALLER_PIN}#`, '2'], { outcome: 'answer', answerAfterS: 2, talkS: 30 });
    await seedDemo(run.admin, run.t.app);
    const r = await runRequestScenario(
      run.sim,
      { serviceUrl: run.base, from: SIM_CALLER, to: SERVICE_NUMBER, callbackWaitMs: 10_000, apiKey: TEST_ADMIN_KEY, destination: DESTINATION },
      (l) => run.transcript.push(l),
    );
    assert.deepEqual(r.errors, []);
    assert.equal(r.outcome, 'completed');
    assert.ok(r.callRecordId, 'no call record id');
    assert.deepEqual(dialedTo(r.callback), [DESTINATION]);
    const session = await callSessionModel(testDb()).findById(r.callRecordId).lean();
    assert.equal(session?.origin, 'api');
    assert.equal(session?.requested?.destination, DESTINATION);
    assert.equal(session?.status, 'completed');
    const created = run.sim.standin.callsCreated();
    assert.equal(created.length, 1);
    assert.equal(created[0]!.params.To, SIM_CALLER);
    assert.ok(
      r.transcript.some((l) => l.startsWith('[api]      HTTP 202')),
      r.transcript.join('\n'),
    );
  });

  it('when the phone asks the API for a callback a few seconds ahead, then it is not called before that time, and then is', async () => {
    run = await startPhoneRun([`${SIM_CALLER_PIN}#`, '2', '2025550186#'], { outcome: 'answer', answerAfterS: 2, talkS: 10 });
    await seedDemo(run.admin, run.t.app);
    const at = new Date(Date.now() + 3_000);
    const r = await runRequestScenario(
      run.sim,
      { serviceUrl: run.base, from: SIM_CALLER, to: SERVICE_NUMBER, callbackWaitMs: 10_000, apiKey: TEST_ADMIN_KEY, at: at.toISOString() },
      (l) => run.transcript.push(l),
    );
    assert.deepEqual(r.errors, []);
    assert.equal(r.outcome, 'completed');
    const created = run.sim.standin.callsCreated();
    assert.equal(created.length, 1);
    assert.ok(created[0]!.at.getTime() >= at.getTime(), `called at ${created[0]!.at.toISOString()}, asked for ${at.toISOString()}`);
    assert.match(says(r.callback).join(' | '), /dial the number/, 'no destination given: the caller is asked');
  });

  it('when the API refuses the callback, then the phone shows the 409 and its reason and no callback comes', async () => {
    run = await startPhoneRun([], { outcome: 'answer', answerAfterS: 2, talkS: 10 });
    await seedDemo(run.admin, run.t.app);
    const r = await runRequestScenario(run.sim, { serviceUrl: run.base, from: STRANGER, to: SERVICE_NUMBER, callbackWaitMs: 2_000, apiKey: TEST_ADMIN_KEY }, (l) =>
      run.transcript.push(l),
    );
    assert.deepEqual(r.errors, []);
    assert.equal(r.outcome, 'rejected');
    assert.equal(r.callback, null);
    assert.ok(
      r.transcript.some((l) => /^\[api\] {6}HTTP 409: \S+/.test(l)),
      r.transcript.join('\n'),
    );
    assert.equal(run.sim.standin.callsCreated().length, 0);
  });

  it('when the number texted or named rings back to no extension, then the API request is an error and the SMS gets the refusal', async () => {
    run = await startPhoneRun([], { outcome: 'answer', answerAfterS: 2, talkS: 10 });
    await seedDemo(run.admin, run.t.app);
    const r = await runRequestScenario(run.sim, { serviceUrl: run.base, from: SIM_CALLER, to: '+12025550111', callbackWaitMs: 1_000, apiKey: TEST_ADMIN_KEY }, (l) =>
      run.transcript.push(l),
    );
    assert.equal(r.outcome, 'error');
    assert.match(r.errors.join(), /rings back to no extension/);
    const sms = await runSmsScenario(
      run.sim,
      { serviceUrl: run.base, from: SIM_CALLER, to: '+12025550111', body: 'hi', callbackWaitMs: 1_000, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN },
      (l) => run.transcript.push(l),
    );
    assert.deepEqual(sms.reply, [SMS_TEXT.refused]);
    assert.equal(run.sim.standin.callsCreated().length, 0);
  });
});
