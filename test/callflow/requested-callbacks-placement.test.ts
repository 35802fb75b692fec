import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { reservationModel } from '../../models/reservation';
import { CALLER, CallflowRig } from '../support/callflow';
import { testDb } from '../support/database';

const sessions = () => callSessionModel(testDb());
const HOUR = 3600_000;

/** What a requested callback is judged by again when it is placed: it may have been asked for days ago. */
describe('requested callbacks: the checks at placement', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  const schedule = async (number: string, inMs = HOUR) => {
    const at = new Date(rig.t.clock.now().getTime() + inMs).toISOString();
    const res = await rig.admin.post('/api/callbacks', { extensionId: rig.extensionId, number, at }).expect(202);
    return res.body.id as string;
  };

  it('when callbacks scheduled for the same time exceed the client concurrent-call limit, then one is placed and the other waits for it to end', async () => {
    await rig.seed({ client: { maxConcurrentCalls: 1 }, callback: { returnCalls: 'caller', requireCallerPassword: false, password: '2468', retry: { attempts: 1 } } });
    const first = await schedule('+12025550161');
    const second = await schedule('+12025550162');
    const creates = await rig.runJobs(HOUR);
    assert.equal(creates.length, 1, 'both placed beyond maxConcurrentCalls: 1');
    assert.equal(creates[0]!.params.To, '+12025550161', 'the older request goes first');
    const waiting = await sessions().findById(second).lean();
    assert.equal(waiting!.status, 'queued');
    assert.equal(waiting!.callback.attempts, 0, 'waiting used up an attempt');
    assert.deepEqual(await rig.runJobs(20_000), [], 'placed while the first is in progress');

    await rig.status(creates[0]!, rig.createdSid(), 'no-answer', { CallDuration: '0' });
    assert.equal((await sessions().findById(first).lean())!.status, 'failed');
    const [next] = await rig.runJobs(20_000);
    assert.ok(next, 'the waiting callback was not placed once the slot was free');
    assert.equal(next.params.To, '+12025550162');
  });

  it('when the number is denied after the callback was scheduled, then it is not placed and fails with the ring reason code', async () => {
    await rig.seed();
    const id = await schedule(CALLER);
    await rig.admin.patch('/api/settings/fraud', { denyPrefixes: ['+1202555'] }).expect(200);
    assert.deepEqual(await rig.runJobs(HOUR), []);
    const s = await sessions().findById(id).lean();
    assert.equal(s!.status, 'failed');
    assert.equal(s!.reason, 'callback-target-denied');
  });

  it('when the authorized caller ID is disabled after the callback was scheduled, then it is not placed', async () => {
    await rig.seed();
    const id = await schedule(CALLER);
    await rig.admin.patch(`/api/extensions/${rig.extensionId}/authorized-callers/${rig.callerId}`, { enabled: false }).expect(200);
    assert.deepEqual(await rig.runJobs(HOUR), []);
    const s = await sessions().findById(id).lean();
    assert.equal(s!.reason, 'authorized-caller-disabled');
  });

  it('when a callback queued again after a Twilio error is cancelled, then what its attempt held goes back to the client', async () => {
    await rig.seed({ callback: { chargeCallbackLeg: true } });
    const res = await rig.admin.post('/api/callbacks', { extensionId: rig.extensionId, number: CALLER }).expect(202);
    rig.standin.failNext(1, { status: 500, code: 20500, message: 'Internal Server Error' });
    await rig.runJobs(0);
    const s = await sessions().findById(res.body.id).lean();
    assert.equal(s!.status, 'queued', 'not queued again after the 500');
    const held = await clientModel(testDb()).findById(rig.clientId).lean();
    assert.ok(held!.balance < 100_000, 'the attempt held nothing: the test proves nothing');
    await rig.admin.delete(`/api/callbacks/${res.body.id}`).expect(204);
    const after = await clientModel(testDb()).findById(rig.clientId).lean();
    assert.equal(after!.balance, 100_000);
    assert.equal(await reservationModel(testDb()).countDocuments({ sessionId: s!._id, state: 'held' }), 0);
    assert.deepEqual(await rig.runJobs(HOUR), []);
  });
});
