import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { creditEntryModel } from '../../models/credit-entry';
import { jobModel } from '../../models/job';
import { reservationModel } from '../../models/reservation';
import { placeCallbackHandler } from '../../src/callflow/place-callback';
import { JobRunner } from '../../src/jobs/job-runner';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { callSid, CallflowRig, NUMBER, type Answer } from '../support/callflow';
import { testDb } from '../support/database';
import { TEST_ACCOUNT_SID } from '../support/harness';

const callerNumber = (i: number) => `+1202555${String(1000 + i).padStart(4, '0')}`;

describe('call flow under concurrency', function () {
  this.timeout(360_000);
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when the same incoming CallSid is posted 5 times at once, then one session, one job and one callback', async () => {
    await rig.seed({ callback: { returnCalls: 'caller', requireCallerPassword: false } });
    const sid = callSid();
    const posts = Array.from({ length: 5 }, () =>
      rig.post('/voice/incoming', { CallSid: sid, AccountSid: TEST_ACCOUNT_SID, From: callerNumber(1), To: NUMBER, CallStatus: 'ringing' }),
    );
    await rig.releaseHold(rig.ringMs, 5);
    const answers = await Promise.all(posts);
    for (const a of answers) assert.equal(findOne(a.tree, 'Reject').attrs.reason, 'busy');
    assert.equal(await callSessionModel(testDb()).countDocuments({ inboundCallSid: sid }), 1);
    assert.equal(await jobModel(testDb()).countDocuments({}), 1);
    assert.equal((await rig.runJobs()).length, 1);
    assert.equal((await rig.runJobs(60_000)).length, 0);
  });

  it('when two job runners share one database, then each of 20 callbacks is placed exactly once', async () => {
    await rig.seed({ callback: { returnCalls: 'caller', requireCallerPassword: false } });
    for (let i = 0; i < 20; i++) await rig.incoming(callerNumber(i));
    rig.t.clock.advance(5_000);
    const other = new JobRunner(rig.t.deps, { 'place-callback': placeCallbackHandler(rig.t.deps) }, { owner: 'second-instance' });
    const [a, b] = await Promise.all([rig.runner.runDue(), other.runDue()]);
    assert.equal(a + b, 20);
    const creates = rig.standin.callsCreated();
    assert.equal(creates.length, 20);
    assert.equal(new Set(creates.map((c) => c.params.To)).size, 20);
    // Finished jobs are removed; none is left queued or running.
    assert.equal(await jobModel(testDb()).countDocuments({}), 0);
  });

  it('when 50 sessions of one client dial at once, then the balance never goes below zero and settles exactly', async () => {
    // 0.01/min in 30/6 s blocks; 4 h of talk costs 2.40, so 50.00 covers about 20 full reservations.
    await rig.seed({ callback: { returnCalls: 'caller', requireCallerPassword: false }, client: { credit: '50.00' } });
    const prompts: { sid: string; prompt: Answer }[] = [];
    for (let i = 0; i < 50; i++) await rig.incoming(callerNumber(i));
    const creates = await rig.runJobs();
    assert.equal(creates.length, 50);
    for (let i = 0; i < 50; i++) {
      const sid = rig.createdSid(i);
      prompts.push({ sid, prompt: await rig.answer(creates[i]!, sid) });
    }
    const dials = await Promise.all(prompts.map((p) => rig.gather(p.prompt, '2025550186#', p.sid)));
    const dialed = dials.map((d, i) => ({ d, sid: prompts[i]!.sid })).filter(({ d }) => d.tree.children.some((c) => c.name === 'Dial'));
    const refused = dials.length - dialed.length;
    const reservations = await reservationModel(testDb()).find({ state: 'held' }).lean();
    const held = reservations.reduce((sum, r) => sum + r.clientAmount, 0);
    const afterReserve = (await clientModel(testDb()).findById(rig.clientId).lean())!.balance;
    assert.equal(reservations.length, dialed.length);
    assert.ok(afterReserve >= 0, `balance went to ${afterReserve}`);
    assert.equal(afterReserve, 500_000 - held);
    assert.ok(dialed.length >= 15 && refused > 0, `${dialed.length} dialed, ${refused} refused`);

    // Everyone talks 95 s: 30 + 11*6 = 96 billable seconds at 0.01/min = 0.016 each.
    await Promise.all(dialed.map(({ d, sid }) => rig.dialEnded(d, sid, { status: 'completed', duration: 95 })));
    const client = (await clientModel(testDb()).findById(rig.clientId).lean())!;
    assert.equal(client.balance, 500_000 - dialed.length * 160);
    assert.deepEqual(client.pendingEntryIds, []);
    const charges = await creditEntryModel(testDb()).find({ kind: 'call-charge' }).lean();
    assert.equal(charges.length, dialed.length);
    assert.equal(
      charges.reduce((s, c) => s + c.amount, 0),
      -dialed.length * 160,
    );
  });
});
