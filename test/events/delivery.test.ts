import assert from 'node:assert/strict';
import { jobModel } from '../../models/job';
import { webhookDeliveryModel } from '../../models/webhook-delivery';
import { placeCallbackHandler } from '../../src/callflow/place-callback';
import { placedEvent } from '../../src/domain/events/call-events';
import { emitCallEvent } from '../../src/domain/events/emit';
import { deliverEventHandler } from '../../src/events/delivery-job';
import { verifySignature } from '../../src/events/signature';
import { JobRunner } from '../../src/jobs/job-runner';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { CALLER, CALLER_PIN, CallflowRig, sessionOf } from '../support/callflow';
import { testDb } from '../support/database';
import { EventReceiver } from '../support/event-receiver';
import { sampleSum, scrape, TEST_METRICS_TOKEN } from '../support/metrics';

const ALL = ['callback.queued', 'callback.placed', 'callback.answered', 'callback.failed', 'call.completed', 'credit.low'];

/** A rig whose runner also delivers events, with private networks allowed (the receiver is on loopback). */
async function startRig(env: Record<string, string> = { EVENTS_ALLOW_PRIVATE_NETWORKS: 'true' }): Promise<CallflowRig> {
  const rig = new CallflowRig();
  await rig.start({ env });
  rig.runner = new JobRunner(rig.t.deps, { 'place-callback': placeCallbackHandler(rig.t.deps), 'deliver-event': deliverEventHandler(rig.t.deps) }, { owner: 'test-runner' });
  return rig;
}

/** Runs due jobs, moving the clock a little each round, until no delivery of the rig's client is pending (bounded by rounds). */
async function deliverAll(rig: CallflowRig, rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await rig.runner.runDue();
    const live = await webhookDeliveryModel(testDb()).countDocuments({ clientId: rig.clientId, state: 'pending' });
    if (live === 0) return;
    rig.t.clock.advance(16_000);
  }
  assert.fail('deliveries still pending');
}

async function subscribe(rig: CallflowRig, url: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await rig.admin.patch(`/api/clients/${rig.clientId}`, { webhook: { url, events: ALL, lowCreditThreshold: '9.9950', ...extra } }).expect(200);
  return res.body.webhook.secret;
}

/** Ring, callback, PIN, a 61 s dial to the UK (0.04), and the callback leg's end. */
async function wholeCall(rig: CallflowRig): Promise<{ inbound: string; cbSid: string; create: Parameters<CallflowRig['status']>[0] }> {
  const ring = await rig.incoming(CALLER);
  const [create] = await rig.runJobs(5_000);
  assert.ok(create);
  const cbSid = rig.createdSid();
  const answered = await rig.answer(create, cbSid);
  const menu = await rig.gather(answered, `${CALLER_PIN}#`, cbSid);
  const dest = await rig.gather(menu, '2', cbSid);
  const dial = await rig.gather(dest, '00442079460000#', cbSid);
  findOne(dial.tree, 'Dial');
  await rig.dialEnded(dial, cbSid, { status: 'completed', duration: 61 });
  await rig.status(create, cbSid, 'completed', { CallDuration: '95' });
  return { inbound: ring.callSid, cbSid, create };
}

describe("events: delivery of a call's events to the client's webhook", () => {
  let rig: CallflowRig;
  let receiver: EventReceiver;
  beforeEach(async () => {
    receiver = new EventReceiver();
    await receiver.start();
  });
  afterEach(async () => {
    await receiver.stop();
    await rig?.stop();
  });

  it('when a call goes its whole way, then queued, placed, answered, credit.low and completed arrive in order, signed, with the charges per leg', async () => {
    rig = await startRig();
    await rig.seed({ callback: { allowCreditQuery: true } });
    const secret = await subscribe(rig, receiver.url());
    const { inbound, cbSid } = await wholeCall(rig);
    await deliverAll(rig);

    assert.deepEqual(receiver.types(), ['callback.queued', 'callback.placed', 'callback.answered', 'credit.low', 'call.completed']);
    const session = await sessionOf(inbound);
    for (const r of receiver.received) {
      assert.ok(verifySignature(secret, r.body, String(r.headers['x-callback-signature']), rig.t.clock.now(), 3_600), `bad signature on ${r.json.type}`);
      assert.equal(r.json.data.callId, String(session!._id));
      assert.equal(r.json.data.clientId, rig.clientId);
      assert.ok(!Number.isNaN(Date.parse(r.json.createdAt)));
    }
    assert.equal(new Set(receiver.received.map((r) => r.json.id)).size, 5, 'each event has its own id');
    const placed = receiver.received[1]!.json;
    assert.equal(placed.data.callSid, cbSid);
    assert.equal(placed.data.attempt, 1);
    const low = receiver.received[3]!.json;
    assert.deepEqual([low.data.balance, low.data.charge, low.data.threshold, low.data.currency], ['9.96', '0.04', '9.995', 'USD']);
    const completed = receiver.received[4]!.json;
    assert.equal(completed.data.charge, '0.04');
    assert.deepEqual(completed.data.charges, [{ leg: 'dial', destination: '+442079460000', duration: 61, charge: '0.04', state: 'settled' }]);

    const deliveries = await rig.admin.get('/api/webhook-deliveries').expect(200);
    const mine = deliveries.body.items.filter((d: { callId: string }) => d.callId === String(session!._id));
    assert.equal(mine.length, 5);
    for (const d of mine) assert.deepEqual([d.state, d.attempts, d.lastStatusCode, d.nextAttemptAt], ['delivered', 1, 200, null]);
  });

  it('when the receiver answers 500, then the event is retried after the backoff with the same id and body, and later events wait for it', async () => {
    rig = await startRig({ EVENTS_ALLOW_PRIVATE_NETWORKS: 'true', METRICS_TOKEN: TEST_METRICS_TOKEN });
    await rig.seed();
    await subscribe(rig, receiver.url(), { events: ['callback.queued', 'callback.placed'] });
    receiver.answer(500);
    await rig.incoming(CALLER);
    await rig.runJobs(5_000); // places the callback; queued is tried once (500), placed waits for it
    assert.deepEqual(receiver.types(), ['callback.queued']);
    const [first] = await webhookDeliveryModel(testDb()).find({ clientId: rig.clientId, type: 'callback.queued' }).lean();
    assert.deepEqual([first!.state, first!.attempts, first!.lastStatusCode, first!.lastError], ['pending', 1, 500, 'HTTP 500']);
    assert.equal(first!.nextAttemptAt!.getTime(), rig.t.clock.now().getTime() + 10_000);

    // Before the backoff is over nothing more is sent, not even the later event.
    rig.t.clock.advance(5_000);
    await rig.runner.runDue();
    assert.deepEqual(receiver.types(), ['callback.queued']);
    rig.t.clock.advance(5_000);
    await deliverAll(rig);
    assert.deepEqual(receiver.types(), ['callback.queued', 'callback.queued', 'callback.placed']);
    const [a, b] = receiver.received;
    assert.equal(a!.json.id, b!.json.id);
    assert.equal(a!.body, b!.body);
    const after = await webhookDeliveryModel(testDb()).findById(first!._id).lean();
    assert.deepEqual([after!.state, after!.attempts, after!.lastStatusCode], ['delivered', 2, 200]);
    // Every attempt is counted by its result: one retried, two delivered.
    const samples = await scrape(rig.app);
    assert.equal(sampleSum(samples, 'callback_event_deliveries_total', { result: 'retrying' }), 1);
    assert.equal(sampleSum(samples, 'callback_event_deliveries_total', { result: 'delivered' }), 2);
  });

  it('when a callback is requested by API for later, then callback.queued says scheduled, its origin and when it is placed', async () => {
    rig = await startRig();
    await rig.seed();
    await subscribe(rig, receiver.url(), { events: ['callback.queued'] });
    const at = new Date(rig.t.clock.now().getTime() + 3_600_000);
    const res = await rig.admin.post('/api/callbacks', { extensionId: rig.extensionId, number: CALLER, at: at.toISOString() }).expect(202);
    await deliverAll(rig);
    assert.deepEqual(receiver.types(), ['callback.queued']);
    const event = receiver.received[0]!.json as { id: string; data: Record<string, unknown> };
    assert.ok(event.id.includes(res.body.id), event.id);
    assert.deepEqual(
      { status: event.data.status, origin: event.data.origin, target: event.data.target, dueAt: event.data.dueAt },
      { status: 'scheduled', origin: 'api', target: CALLER, dueAt: at.toISOString() },
    );
  });

  it('when a scheduled callback is cancelled, then callback.failed with reason callback-cancelled follows its callback.queued', async () => {
    rig = await startRig();
    await rig.seed();
    await subscribe(rig, receiver.url(), { events: ['callback.queued', 'callback.failed'] });
    const at = new Date(rig.t.clock.now().getTime() + 3_600_000);
    const res = await rig.admin.post('/api/callbacks', { extensionId: rig.extensionId, number: CALLER, at: at.toISOString() }).expect(202);
    await rig.admin.delete(`/api/callbacks/${res.body.id}`).expect(204);
    await deliverAll(rig);
    assert.deepEqual(receiver.types(), ['callback.queued', 'callback.failed']);
    assert.deepEqual(receiver.received[1]!.json.data, { callId: res.body.id, clientId: rig.clientId, reason: 'callback-cancelled', attempts: 0 });
  });

  it('when the receiver keeps failing for 24 hours, then the delivery is given up and the next event of the call goes out', async () => {
    rig = await startRig();
    await rig.seed();
    await subscribe(rig, receiver.url(), { events: ['callback.queued', 'callback.placed'] });
    receiver.answer(...Array(60).fill(503));
    await rig.incoming(CALLER);
    await rig.runJobs(5_000);
    for (let i = 0; i < 40; i++) {
      rig.t.clock.advance(3_600_000);
      await rig.runner.runDue();
    }
    const queued = await webhookDeliveryModel(testDb()).findOne({ clientId: rig.clientId, type: 'callback.queued' }).lean();
    assert.equal(queued!.state, 'failed');
    assert.ok(queued!.attempts >= 10 && queued!.attempts <= 40, String(queued!.attempts));
    const placed = await webhookDeliveryModel(testDb()).findOne({ clientId: rig.clientId, type: 'callback.placed' }).lean();
    assert.ok(placed!.attempts >= 1, 'the later event was tried once the earlier one was given up');
    // Every try of the later event came after the earlier one's last.
    const types = receiver.types();
    assert.equal(types.lastIndexOf('callback.queued'), queued!.attempts - 1);
    assert.equal(types.indexOf('callback.placed'), queued!.attempts);
  });

  it('when a status callback is repeated, then its event is stored and delivered once', async () => {
    rig = await startRig();
    await rig.seed();
    await subscribe(rig, receiver.url(), { events: ['call.completed'] });
    const { create, cbSid } = await wholeCall(rig);
    // Twilio's retry comes later: the event is the same however late it is emitted again.
    rig.t.clock.advance(2_000);
    await rig.status(create, cbSid, 'completed', { CallDuration: '95' });
    await deliverAll(rig);
    assert.deepEqual(receiver.types(), ['call.completed']);
    assert.equal(await webhookDeliveryModel(testDb()).countDocuments({ clientId: rig.clientId, type: 'call.completed' }), 1);
  });

  it('when an event was stored beside a write that never landed, then it waits a while and is dropped, never sent', async () => {
    rig = await startRig();
    await rig.seed();
    await subscribe(rig, receiver.url(), { events: ['callback.placed'] });
    const ring = await rig.incoming(CALLER);
    const session = await sessionOf(ring.callSid);
    // As if attempt 7's placement write had failed after its event was stored.
    await emitCallEvent(testDb(), placedEvent(session!, 7, 'CA00000000000000000000000000000077', rig.t.clock.now()));
    await rig.runner.runDue();
    const waiting = await webhookDeliveryModel(testDb()).findOne({ clientId: rig.clientId, 'data.attempt': 7 }).lean();
    assert.equal(waiting!.state, 'pending');
    rig.t.clock.advance(6 * 60_000);
    await rig.runner.runDue();
    const dropped = await webhookDeliveryModel(testDb()).findById(waiting!._id).lean();
    assert.deepEqual([dropped!.state, dropped!.attempts, dropped!.lastError], ['cancelled', 0, 'the state this event describes was never reached']);
    assert.ok(!receiver.received.some((r) => r.json.data.attempt === 7), 'the event of a write that never landed was sent');
  });

  it('when nobody subscribes, then a whole call stores no delivery and no delivery job', async () => {
    rig = await startRig();
    await rig.seed();
    const { inbound } = await wholeCall(rig);
    const session = await sessionOf(inbound);
    assert.equal(session!.status, 'completed');
    assert.equal(await webhookDeliveryModel(testDb()).countDocuments({ clientId: rig.clientId }), 0);
    assert.equal(await jobModel(testDb()).countDocuments({ sessionId: session!._id, type: 'deliver-event' }), 0);
  });

  it('when private networks are not allowed, then a webhook on localhost gets nothing and its delivery records the refusal', async () => {
    rig = await startRig({});
    await rig.seed();
    await subscribe(rig, `https://localhost:${receiver.port}/hook`, { events: ['callback.queued'] });
    await rig.incoming(CALLER);
    await rig.runner.runDue();
    const d = await webhookDeliveryModel(testDb()).findOne({ clientId: rig.clientId }).lean();
    assert.equal(d!.attempts, 1);
    assert.match(d!.lastError!, /localhost does not resolve to a public address/);
    assert.equal(receiver.received.length, 0);
  });
});
