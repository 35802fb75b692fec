import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { jobModel } from '../../models/job';
import { reservationModel } from '../../models/reservation';
import { CallDriver, CHARGE, STEPS, TALK_SECONDS, type Step } from './call-driver';
import { ServiceRig, until } from './service-rig';

/**
 * Issue 6: "The service killed (SIGKILL) at each stage of a session: after restart every callback and
 * charge happens exactly once." The real service in a child process on the embedded database, killed
 * with SIGKILL, started again on the same DATA_DIR; the test then plays what Twilio does next against
 * the restarted service: it retries the webhook the dead one never answered (or answered just before
 * dying), and goes on with the call.
 */

interface Stage {
  when: string;
  /** The service dies during this step (its webhook is held) or right after it answered. */
  killAt: Step;
  /** Killed while the step's webhook is held (only the ring holds one), not after it answered. */
  during?: boolean;
  /** Twilio posts this step's webhook again to the restarted service (its retry). */
  retry?: Step;
  /** Before the kill: what must already be stored. */
  check?: (rig: ServiceRig, call: CallDriver) => Promise<void>;
}

const STAGES: Stage[] = [
  {
    when: 'while the incoming call is still ringing (session stored, reject not yet answered)',
    killAt: 'ring',
    during: true,
    retry: 'ring',
    check: async (rig, call) => {
      const s = await rig.session(call.inbound);
      assert.equal(s!.status, 'queued');
      // The session and its job go in one round but as two commands: either may land first.
      const jobs = () => jobModel(rig.db!).countDocuments({ sessionId: s!._id, type: 'place-callback' });
      await until('its job stored', async () => (await jobs()) > 0);
      assert.equal(await jobs(), 1);
      assert.equal(rig.standin.callsCreated().length, 0);
    },
  },
  {
    when: 'after calls.create was answered, before the answer webhook',
    killAt: 'callback',
  },
  {
    when: 'after the answer, mid-PIN (the PIN prompt was sent)',
    killAt: 'answer',
    retry: 'answer',
  },
  {
    when: 'after the destination was accepted and the credit reserved (the <Dial> was sent), before the dial-result',
    killAt: 'dial',
    retry: 'dial',
    check: async (rig) => {
      const r = await reservationModel(rig.db!).find({}).lean();
      assert.equal(r.length, 1);
      assert.equal(r[0]!.state, 'held');
    },
  },
  {
    when: 'right after the dial-result was answered',
    killAt: 'dial-result',
    retry: 'dial-result',
    check: async (rig) => {
      const r = await reservationModel(rig.db!).findOne({}).lean();
      assert.equal(r!.state, 'settled');
    },
  },
];

describe('faults: the service killed (SIGKILL) at each stage of a session', function () {
  this.timeout(180_000);
  let rig: ServiceRig;

  beforeEach(function () {
    if (process.env.MONGODB_URI) this.skip(); // the child process runs on the embedded database
    rig = new ServiceRig();
  });
  afterEach(() => rig?.stop());

  for (const stage of STAGES) {
    it(`when the service is killed ${stage.when}, then after restart the callback and the charge happen exactly once`, async () => {
      await rig.start();
      const seeded = await rig.seed({ triggerAfterSeconds: stage.during ? 2 : 1 });
      const call = new CallDriver(rig);
      const killIndex = STEPS.indexOf(stage.killAt);

      for (const step of STEPS.slice(0, killIndex)) await call.run(step);
      if (stage.during) {
        // Twilio's request is held (the caller hears ringing) when the service dies.
        let answered = false;
        assert.equal(stage.killAt, 'ring');
        const pending = call.begin('ring').then(
          () => (answered = true),
          (err: Error) => err,
        );
        await until('the session stored', () => rig.session(call.inbound));
        await stage.check?.(rig, call);
        assert.equal(answered, false, 'the reject was answered before the kill');
        await rig.kill();
        assert.ok((await pending) instanceof Error, 'Twilio got an answer from a killed service');
      } else {
        await call.run(stage.killAt);
        await stage.check?.(rig, call);
        await rig.kill();
      }

      await rig.restart();
      if (stage.retry) {
        const again = await call.replay(stage.retry);
        assert.equal(again.status, 200);
        const before = call.answers.get(stage.retry);
        if (before) assert.equal(again.xml, before.xml, `the retried ${stage.retry} answered differently`);
        else call.answers.set(stage.retry, again);
      }
      for (const step of STEPS.slice(killIndex + 1)) await call.run(step);
      // Twilio repeats the last callbacks once more, late: nothing changes.
      await call.replay('dial-result');
      await call.status('completed', { CallDuration: String(TALK_SECONDS + 20) });

      await rig.assertExactlyOnce(seeded, call.inbound, { charge: CHARGE, duration: TALK_SECONDS });
      const s = await callSessionModel(rig.db!).findOne({ inboundCallSid: call.inbound }).lean();
      assert.equal(s!.callback.callSid, call.callbackSid);
    });
  }
});
