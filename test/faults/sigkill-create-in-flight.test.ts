import assert from 'node:assert/strict';
import { jobModel } from '../../models/job';
import { CallDriver, CHARGE, STEPS, TALK_SECONDS } from './call-driver';
import { CALLER, NUMBER, ServiceRig, until } from './service-rig';

/**
 * Issue 6, the SIGKILL stage between "calls.create sent" and "its answer recorded": Twilio created the
 * call, but the service died before it learned the CallSid, and the call's status callbacks went to the
 * dead service. After the restart nothing tells the service about that call: the job is taken over when
 * its lease (30 s) expires, and must find the call on Twilio instead of calling the caller a second time.
 * Slow by nature (the lease), so on its own.
 */
describe('faults: the service killed (SIGKILL) while calls.create is in flight', function () {
  this.timeout(270_000);
  let rig: ServiceRig;
  beforeEach(function () {
    if (process.env.MONGODB_URI) this.skip();
    rig = new ServiceRig();
  });
  afterEach(() => rig?.stop());

  it('when Twilio created the call but the service died before its answer and the callbacks were lost, then after restart the job taken over adopts that call: one call, one charge', async () => {
    await rig.start();
    const seeded = await rig.seed();
    const call = new CallDriver(rig);
    await call.run('ring');

    rig.standin.delayNext(1, 120_000); // Twilio creates the call; its answer is held until after the kill
    const create = await until('the create sent', () => rig.callbacksCreated()[0], 20_000);
    const twilioSid = (create.response!.body as { sid: string }).sid;
    const before = await rig.session(call.inbound);
    assert.equal(before!.status, 'calling');
    assert.equal(before!.callback.callSid, null);
    const job = await jobModel(rig.db!).findOne({}).lean();
    assert.equal(job!.state, 'running');
    await rig.kill();

    await rig.restart();
    const adopted = await until(
      'the call adopted',
      async () => {
        // The CallSid and the timeline's callback-adopted entry are two writes: wait for both.
        const s = await rig.session(call.inbound);
        return s?.callback.callSid && s.timeline.some((e) => e.event === 'callback-adopted') ? s : null;
      },
      45_000,
    );
    assert.equal(adopted.callback.callSid, twilioSid);
    assert.ok(
      adopted.timeline.some((e) => e.event === 'callback-adopted'),
      adopted.timeline.map((e) => e.event).join(','),
    );
    const lookups = rig.standin.requests.filter((r) => r.operationId === 'ListCall');
    assert.ok(lookups.length >= 1);
    assert.equal(lookups[0]!.query.To, CALLER);
    assert.equal(lookups[0]!.query.From, NUMBER);
    await until('the job finished', async () => (await jobModel(rig.db!).countDocuments({})) === 0);
    assert.equal(rig.standin.callsCreated().length, 1, 'the caller was called twice');

    // Twilio's call rings the caller, who answers: the conversation goes on on the restarted service.
    call.create = create;
    call.callbackSid = twilioSid;
    for (const step of STEPS.slice(STEPS.indexOf('answer'))) await call.run(step);
    await rig.assertExactlyOnce(seeded, call.inbound, { charge: CHARGE, duration: TALK_SECONDS });
  });
});
