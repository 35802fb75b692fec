import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { creditEntryModel } from '../../models/credit-entry';
import { runScenario, type ScenarioResult } from '../../src/twilio-sim/scenario';
import { testDb } from '../support/database';
import { TEST_ADMIN_KEY } from '../support/harness';
import { DISCONNECT_SOUND, type PhoneRun, SERVICE_NUMBER, SIM_CALLER, seedDemo, startPhoneRun, stopPhoneRun } from '../support/phone-rig';

/** The scripted phone simulator against the real service (test/support/phone-rig.ts). */
const CALLER = SIM_CALLER;

const says = (r: ScenarioResult) => (r.callback?.events ?? []).flatMap((e) => (e.type === 'say' ? [e.text] : []));

describe('phone simulator: the whole flow against the real service', function () {
  this.timeout(60_000);
  let run: PhoneRun;
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' || process.env.SIM_TRANSCRIPT) console.log(run.transcript.join('\n'));
    await stopPhoneRun(run);
  });

  it('when the authorized caller rings and follows the prompts, then ring, busy reject, callback, PIN, credit, destination, dial cut by the time limit with the disconnect sound, and the charge', async () => {
    run = await startPhoneRun(['1234#', '1', '2', '2025550186#'], { outcome: 'answer', answerAfterS: 2, talkS: 400 });
    const { clientId } = await seedDemo(run.admin, run.t.app);
    const r = await runScenario(run.sim, { serviceUrl: run.base, from: CALLER, to: SERVICE_NUMBER, callbackWaitMs: 10_000 }, (l) => run.transcript.push(l));

    assert.deepEqual(r.errors, []);
    assert.equal(r.outcome, 'completed');
    assert.equal(r.inbound.outcome, 'rejected');
    assert.equal(r.inbound.reason, 'busy');
    assert.equal(r.inbound.answered, false, 'the reject must leave the inbound call unanswered');
    const spoken = says(r).join(' | ');
    assert.match(spoken, /enter your password/);
    assert.match(spoken, /Your credit is 5 cents\./);
    assert.match(spoken, /dial the number/);
    assert.match(spoken, /You can talk for 5 minutes\./);
    const dial = r.callback!.events.find((e) => e.type === 'dial-start');
    assert.ok(dial && dial.type === 'dial-start');
    assert.equal(dial.target.address, '+12025550186');
    assert.equal(dial.timeLimit, 300);
    assert.deepEqual(
      r.callback!.dials.map((d) => [d.status, d.duration, d.cutByTimeLimit]),
      [['completed', 300, true]],
    );
    assert.ok(
      r.callback!.events.some((e) => e.type === 'play' && e.url === DISCONNECT_SOUND),
      'no disconnect sound',
    );
    assert.equal(r.callback!.outcome, 'hangup');

    // status callbacks as asked for, each accepted by the service
    const cb = run.sim.statusCallbacks.filter((s) => s.leg === 'callback').map((s) => s.params.CallStatus);
    assert.deepEqual(cb, ['initiated', 'ringing', 'in-progress', 'completed']);
    assert.ok(
      run.sim.statusCallbacks.every((s) => s.httpStatus === 200),
      JSON.stringify(run.sim.statusCallbacks),
    );
    assert.equal(run.sim.statusCallbacks.find((s) => s.leg === 'inbound')?.params.CallStatus, 'busy');

    // the charge: 300 s at 0.01/min = 0.05
    const charge = await creditEntryModel(testDb()).findOne({ kind: 'call-charge' }).lean();
    assert.equal(charge!.amount, -500);
    assert.equal((await clientModel(testDb()).findById(clientId).lean())!.balance, 100_000 - 500);
    const session = await callSessionModel(testDb()).findOne({}).lean();
    assert.equal(session!.status, 'completed');
    assert.equal(session!.reason, 'credit-ended');
  });

  it('when the phone is given an API key and both legs are charged, then it prints what each leg was charged, as the service booked it', async () => {
    run = await startPhoneRun(['1234#', '2', '2025550186#'], { outcome: 'answer', answerAfterS: 2, talkS: 60 });
    const { extensionId, clientId } = await seedDemo(run.admin, run.t.app);
    await run.admin.patch(`/api/extensions/${extensionId}`, { callback: { chargeCallbackLeg: true } }).expect(200);
    const r = await runScenario(run.sim, { serviceUrl: run.base, from: CALLER, to: SERVICE_NUMBER, callbackWaitMs: 10_000, apiKey: TEST_ADMIN_KEY }, (l) => run.transcript.push(l));
    assert.deepEqual(r.errors, []);
    const charged = r.transcript.filter((l) => l.startsWith('[callback] charged'));
    assert.equal(charged.length, 2, r.transcript.join('\n'));
    const entries = await creditEntryModel(testDb()).find({ kind: 'call-charge' }).lean();
    const byLeg = (leg: string) => entries.find((e) => e.note?.startsWith(`${leg} leg`));
    // Each printed amount is the ledger's, to the ten-thousandth (0.01/min, 30/6: 60 s talk = 0.01).
    const printed = (leg: string) => charged.find((l) => l.includes(`${leg} leg to`))!.match(/: (\d+\.\d+)/)![1]!;
    assert.equal(Math.round(Number(printed('dial')) * 10_000), -byLeg('dial')!.amount);
    assert.equal(Math.round(Number(printed('callback')) * 10_000), -byLeg('callback')!.amount);
    assert.ok(byLeg('callback')!.amount < 0, 'the callback leg was not charged');
    assert.match(charged.find((l) => l.includes('callback leg to'))!, new RegExp(`callback leg to \\${CALLER}`));
    const balance = (await clientModel(testDb()).findById(clientId).lean())!.balance;
    assert.equal(balance, 100_000 + byLeg('dial')!.amount + byLeg('callback')!.amount);
  });

  it('when the caller enters a wrong password three times, then the callback ends with the goodbye and nothing is dialed', async () => {
    run = await startPhoneRun(['1111#', '2222#', '3333#'], { outcome: 'answer', answerAfterS: 2, talkS: 10 });
    await seedDemo(run.admin, run.t.app);
    const r = await runScenario(run.sim, { serviceUrl: run.base, from: CALLER, to: SERVICE_NUMBER, callbackWaitMs: 10_000 }, (l) => run.transcript.push(l));

    assert.deepEqual(r.errors, []);
    assert.equal(r.outcome, 'completed');
    const spoken = says(r);
    assert.equal(spoken.filter((s) => /not correct/.test(s)).length, 2);
    assert.equal(spoken.at(-1), 'Too many wrong passwords. Goodbye.');
    assert.equal(r.callback!.outcome, 'hangup');
    assert.deepEqual(r.callback!.dials, []);
    const session = await callSessionModel(testDb()).findOne({}).lean();
    assert.equal(session!.reason, 'password-failed');
  });

  it('when a hidden caller (From=anonymous) rings, then the call is rejected and no callback is placed', async () => {
    run = await startPhoneRun([], { outcome: 'answer', answerAfterS: 2, talkS: 10 });
    await seedDemo(run.admin, run.t.app);
    const r = await runScenario(run.sim, { serviceUrl: run.base, from: 'anonymous', to: SERVICE_NUMBER, callbackWaitMs: 5_000 }, (l) => run.transcript.push(l));

    assert.deepEqual(r.errors, []);
    assert.equal(r.outcome, 'rejected');
    assert.equal(r.inbound.outcome, 'rejected');
    assert.equal(r.callback, null);
    assert.equal(run.sim.standin.callsCreated().length, 0);
    const session = await callSessionModel(testDb()).findOne({}).lean();
    assert.equal(session!.status, 'refused');
  });
});
