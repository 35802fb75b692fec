import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { creditEntryModel } from '../../models/credit-entry';
import { jobModel } from '../../models/job';
import { sweep } from '../../src/callflow/sweeper';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { CALLER, CALLER_PIN, CallflowRig, callSid, NUMBER, sessionOf, STRANGER } from '../support/callflow';
import { testDb } from '../support/database';
import { TEST_ACCOUNT_SID } from '../support/harness';
import { type Sample, sampleSum, scrape, TEST_METRICS_TOKEN } from '../support/metrics';

/** What changed between two scrapes: `after - before` of the summed samples. */
const delta = (before: Sample[], after: Sample[], name: string, labels: Record<string, string> = {}) => sampleSum(after, name, labels) - sampleSum(before, name, labels);
const requests = (route: string) => ({ name: 'callback_http_request_duration_seconds_count', labels: { route, method: 'POST', status: '2xx' } });

describe('metrics: a call changes them', function () {
  // A whole callback and dial per test: a wide margin for a loaded machine.
  this.timeout(240_000);
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start({ env: { METRICS_TOKEN: TEST_METRICS_TOKEN } });
  });
  afterEach(() => rig.stop());

  it('when a rung callback is answered, authenticated, dials and ends, then webhooks, session outcome, callbacks, job lag and charges per currency are counted', async () => {
    // The callback leg is charged too (the caller's +1 rate): both legs show under the client's currency.
    await rig.seed({ callback: { chargeCallbackLeg: true } });
    const before = await scrape(rig.app);

    const ring = await rig.incoming(CALLER);
    const queued = await scrape(rig.app);
    assert.equal(sampleSum(queued, 'callback_job_queue_depth', { state: 'queued', type: 'place-callback' }), 1);
    assert.equal(sampleSum(queued, 'callback_job_queue_due', { type: 'place-callback' }), 0, 'due 3 s after the ring');

    // Placed 5 s after the ring ended; it was due 3 s after it: a lag of 2 s on the service's clock.
    const [create] = await rig.runJobs(5_000);
    assert.ok(create, 'no callback placed');
    const sid = rig.createdSid();
    const pin = await rig.answer(create, sid);
    const prompt = await rig.gather(pin, `${CALLER_PIN}#`, sid);
    const dial = await rig.gather(prompt, '00442079460000#', sid);
    findOne(dial.tree, 'Dial');
    // 61 s in 60 s blocks at 0.02/min: 0.04 = 400 ten-thousandths.
    await rig.dialEnded(dial, sid, { status: 'completed', duration: 61 });
    await rig.status(create, sid, 'completed', { CallDuration: '95' });
    const after = await scrape(rig.app);

    // The PIN leads straight to the destination prompt (no credit menu on this extension).
    for (const route of ['/voice/incoming', '/voice/callback/answer', '/voice/callback/dial-result', '/voice/status']) {
      const r = requests(route);
      assert.equal(delta(before, after, r.name, r.labels), 1, route);
    }
    for (const route of ['/voice/callback/pin', '/voice/callback/destination']) {
      const r = requests(route);
      assert.equal(delta(before, after, r.name, r.labels), 1, route);
    }

    const session = await sessionOf(ring.callSid);
    assert.equal(session!.status, 'completed');
    assert.equal(session!.reason, 'dial-completed');
    // Ended once: by the dial's end, not again by the callback leg's final status.
    assert.equal(delta(before, after, 'callback_sessions_ended_total'), 1);
    assert.equal(delta(before, after, 'callback_sessions_ended_total', { status: 'completed', reason: 'dial-completed' }), 1);

    assert.equal(delta(before, after, 'callback_callbacks_placed_total'), 1);
    assert.equal(delta(before, after, 'callback_callbacks_answered_total', { by: 'person' }), 1);
    assert.equal(delta(before, after, 'callback_callbacks_retried_total'), 0);
    assert.equal(delta(before, after, 'callback_job_lag_seconds_count', { type: 'place-callback' }), 1);
    assert.equal(delta(before, after, 'callback_job_lag_seconds_sum', { type: 'place-callback' }), 2);

    assert.equal(delta(before, after, 'callback_charged_ten_thousandths_total', { currency: 'USD', leg: 'dial' }), 400);
    // The callback leg's charge is what its ledger entries took, to the ten-thousandth.
    const entries = await creditEntryModel(testDb()).find({ kind: 'call-charge', authorizedCallerId: null, callId: session!._id }).lean();
    const callbackLeg = entries.filter((e) => (e.note ?? '').startsWith('callback leg')).reduce((sum, e) => sum - e.amount, 0);
    assert.ok(callbackLeg > 0, 'the callback leg was not charged');
    assert.equal(delta(before, after, 'callback_charged_ten_thousandths_total', { currency: 'USD', leg: 'callback' }), callbackLeg);
    assert.equal(delta(before, after, 'callback_charged_ten_thousandths_total'), 400 + callbackLeg);

    // Repeated reports change nothing: the charge and the outcome were counted once.
    await rig.status(create, sid, 'completed', { CallDuration: '95', SequenceNumber: '9' });
    const again = await scrape(rig.app);
    assert.equal(delta(after, again, 'callback_charged_ten_thousandths_total'), 0);
    assert.equal(delta(after, again, 'callback_sessions_ended_total'), 0);
  });

  it('when a stranger rings, then a refused session is counted with its reason', async () => {
    await rig.seed();
    const before = await scrape(rig.app);
    const ring = await rig.incoming(STRANGER);
    const session = await sessionOf(ring.callSid);
    assert.equal(session!.status, 'refused');
    const after = await scrape(rig.app);
    assert.equal(delta(before, after, 'callback_sessions_ended_total', { status: 'refused', reason: session!.reason }), 1);
    assert.equal(delta(before, after, 'callback_sessions_ended_total'), 1);
  });

  it('when the callback is busy twice, then one retry and one failed session (callback-busy) are counted', async () => {
    await rig.seed();
    const before = await scrape(rig.app);
    const ring = await rig.incoming(CALLER);
    const [first] = await rig.runJobs();
    await rig.status(first!, rig.createdSid(), 'busy');
    const [second] = await rig.runJobs(30_000);
    assert.ok(second, 'no second attempt');
    await rig.status(second, rig.createdSid(), 'busy');
    const after = await scrape(rig.app);
    assert.equal((await sessionOf(ring.callSid))!.reason, 'callback-busy');
    assert.equal(delta(before, after, 'callback_callbacks_placed_total'), 2);
    assert.equal(delta(before, after, 'callback_callbacks_retried_total', { after: 'busy' }), 1);
    assert.equal(delta(before, after, 'callback_sessions_ended_total', { status: 'failed', reason: 'callback-busy' }), 1);
    assert.equal(delta(before, after, 'callback_callbacks_answered_total'), 0);
  });

  it('when the caller hangs up during the ring, then a cancelled session (caller-hung-up) is counted', async () => {
    await rig.seed();
    const before = await scrape(rig.app);
    const sid = callSid();
    const ringing = rig.post('/voice/incoming', {
      CallSid: sid,
      AccountSid: TEST_ACCOUNT_SID,
      From: CALLER,
      To: NUMBER,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    });
    for (let i = 0; i < 12_000 && rig.t.clock.pendingSleeps < 1; i++) await new Promise((r) => setTimeout(r, 5));
    await rig.status(null, sid, 'completed');
    rig.t.clock.advance(rig.ringMs);
    await ringing;
    assert.equal((await sessionOf(sid))!.status, 'cancelled');
    const after = await scrape(rig.app);
    assert.equal(delta(before, after, 'callback_sessions_ended_total', { status: 'cancelled', reason: 'caller-hung-up' }), 1);
  });

  it('when the sweeper ends a session stuck ringing without its job, then a failed session (interrupted) is counted once', async () => {
    await rig.seed();
    const ring = await rig.incoming(CALLER);
    const stuck = await sessionOf(ring.callSid);
    // What a crash between the writes leaves: a session still ringing long after its ring, with no job.
    await callSessionModel(testDb()).updateOne({ _id: stuck!._id }, { $set: { status: 'ringing', ringEndsAt: new Date(rig.t.clock.now().getTime() - 120_000) } });
    await jobModel(testDb()).deleteMany({ sessionId: stuck!._id });
    const before = await scrape(rig.app);
    await sweep(rig.t.deps);
    await sweep(rig.t.deps);
    const after = await scrape(rig.app);
    assert.equal((await sessionOf(ring.callSid))!.reason, 'interrupted');
    assert.equal(delta(before, after, 'callback_sessions_ended_total', { status: 'failed', reason: 'interrupted' }), 1);
  });
});
