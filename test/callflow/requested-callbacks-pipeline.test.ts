import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { callSessionModel } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { jobModel } from '../../models/job';
import { requestCallback } from '../../src/callflow/requested-callback';
import { sweep } from '../../src/callflow/sweeper';
import { CALLER, CallflowRig, NUMBER } from '../support/callflow';
import { testDb } from '../support/database';

const sessions = () => callSessionModel(testDb());

/** Requested callbacks on the shared pipeline: retries, billing, repairs, races and idempotency. */
describe('requested callbacks: the same pipeline as a ring', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when a requested callback is busy, then it is retried after the delay, and its answered leg is charged to the ten-thousandth', async () => {
    await rig.seed({ callback: { chargeCallbackLeg: true, requireCallerPassword: false } });
    const res = await rig.admin.post('/api/callbacks', { extensionId: rig.extensionId, number: CALLER }).expect(202);
    const [first] = await rig.runJobs(0);
    await rig.status(first!, rig.createdSid(), 'busy', { CallDuration: '0' });
    assert.equal((await sessions().findById(res.body.id).lean())!.status, 'queued');
    assert.deepEqual(await rig.runJobs(10_000), [], 'retried before the delay');
    const [second] = await rig.runJobs(20_000);
    assert.ok(second, 'not retried');
    const sid = rig.createdSid();
    await rig.answer(second, sid);
    await rig.status(second, sid, 'completed', { CallDuration: '45' });
    // +1 at 0.0100/min, 30 s first then 6 s steps: 45 s is billed as 48 s = 0.0080.
    const client = await clientModel(testDb()).findById(rig.clientId).lean();
    assert.equal(client!.balance, 100_000 - 80);
    const s = await sessions().findById(res.body.id).lean();
    assert.equal(s!.callback.attempts, 2);
  });

  it('when a scheduled session lost its job, then the sweeper gives it back once it is overdue', async () => {
    await rig.seed();
    const at = new Date(rig.t.clock.now().getTime() + 10 * 60_000);
    const res = await rig.admin.post('/api/callbacks', { extensionId: rig.extensionId, number: CALLER, at: at.toISOString() }).expect(202);
    await jobModel(testDb()).deleteMany({ sessionId: new Types.ObjectId(res.body.id) });
    rig.t.clock.advance(10 * 60_000 + 61_000);
    await sweep(rig.t.deps);
    const [create] = await rig.runJobs(0);
    assert.ok(create, 'the overdue scheduled callback was not repaired');
    assert.equal(create.params.To, CALLER);
  });

  it('when a cancel races the placement, then exactly one wins: cancelled and never placed, or placed and the cancel refused', async () => {
    await rig.seed();
    for (let i = 0; i < 4; i++) {
      const res = await rig.admin.post('/api/callbacks', { extensionId: rig.extensionId, number: CALLER }).expect(202);
      const before = rig.standin.callsCreated().length;
      const [cancel] = await Promise.all([rig.admin.delete(`/api/callbacks/${res.body.id}`), rig.runner.runDue()]);
      const placed = rig.standin.callsCreated().length - before;
      const s = await sessions().findById(res.body.id).lean();
      if (cancel.status === 204) {
        assert.equal(s!.status, 'cancelled');
        assert.equal(placed, 0, 'cancelled but placed');
      } else {
        assert.equal(cancel.status, 409);
        assert.equal(s!.status, 'calling');
        assert.equal(placed, 1);
        // End it, so the next round's request is not refused as already active.
        await rig.status({ params: rig.standin.callsCreated().at(-1)!.params }, rig.createdSid(), 'no-answer', { CallDuration: '0' });
        await sessions().updateOne({ _id: s!._id }, { $set: { status: 'failed' } });
        await testDb().collection('callback_locks').deleteMany({});
      }
    }
  });

  it('when the same request key comes twice (a retried SMS webhook), then one session answers both', async () => {
    await rig.seed();
    const req = { origin: 'sms' as const, requestKey: 'sms:SM0001', calledNumber: NUMBER, number: CALLER, at: null, destination: null };
    const first = await requestCallback(rig.t.deps, req);
    const second = await requestCallback(rig.t.deps, req);
    assert.equal(first.accepted, true);
    assert.deepEqual(second, first);
    assert.equal(await sessions().countDocuments({ origin: 'sms' }), 1);
    const unknown = await requestCallback(rig.t.deps, { ...req, requestKey: 'sms:SM0002', calledNumber: '+442071830000' });
    assert.deepEqual(unknown, { accepted: false, sessionId: null, reason: 'number-not-routed' });
  });
});
