import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { callbackLockModel } from '../../models/callback-lock';
import { jobModel } from '../../models/job';
import { findAll, findOne } from '../../src/twilio-sim/twiml-parse';
import { createClientWithKey } from '../support/api';
import { CALLER, CALLER_PIN, CallflowRig, NUMBER, STRANGER, says } from '../support/callflow';
import { testDb } from '../support/database';

const sessions = () => callSessionModel(testDb());
const HOUR = 3600_000;

describe('requested callbacks: POST and DELETE /api/callbacks', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  const request = (body: Record<string, unknown>, status: number) => rig.admin.post('/api/callbacks', { extensionId: rig.extensionId, ...body }).expect(status);

  it('when an authorized number is requested, then it is called back from the extension number, asked the password, and its requested destination is dialed without a prompt', async () => {
    await rig.seed();
    const res = await request({ number: CALLER, destination: '+442079460000' }, 202);
    assert.equal(res.body.status, 'queued');
    assert.equal(res.body.dueAt, rig.t.clock.now().toISOString());

    const s = await sessions().findById(res.body.id).lean();
    assert.equal(s!.origin, 'api');
    assert.equal(s!.status, 'queued');
    assert.equal(s!.target, CALLER);
    assert.equal(s!.calledNumber, NUMBER);
    assert.equal(s!.requested!.destination, '+442079460000');
    assert.equal(s!.timeline[0]!.event, 'requested');

    // No ring to wait for: the job is due at once.
    const [create] = await rig.runJobs(0);
    assert.ok(create, 'no callback placed');
    assert.equal(create.params.To, CALLER);
    assert.equal(create.params.From, NUMBER);
    const sid = rig.createdSid();
    const answered = await rig.answer(create, sid);
    assert.match(says(answered).join(' '), /password/);

    const dialed = await rig.gather(answered, `${CALLER_PIN}#`, sid);
    assert.deepEqual(findAll(dialed.tree, 'Gather'), [], 'the destination was asked for although requested');
    const dial = findOne(dialed.tree, 'Dial');
    assert.equal(findOne(dial, 'Number').text, '+442079460000');
    const after = await sessions().findById(res.body.id).lean();
    assert.ok(after!.timeline.some((e) => e.event === 'destination-requested'));

    const listed = await rig.admin.get('/api/calls?origin=api').expect(200);
    assert.deepEqual(
      listed.body.items.map((c: { id: string }) => c.id),
      [res.body.id],
    );
    assert.equal(listed.body.items[0].origin, 'api');
    assert.equal(listed.body.items[0].requested.destination, '+442079460000');
    const rung = await rig.admin.get('/api/calls?origin=ring').expect(200);
    assert.deepEqual(rung.body.items, []);
  });

  it('when a callback is scheduled, then nothing is placed before its time and it is placed once the injected clock reaches it', async () => {
    await rig.seed();
    const at = new Date(rig.t.clock.now().getTime() + 2 * HOUR);
    const res = await request({ number: CALLER, at: at.toISOString() }, 202);
    assert.equal(res.body.status, 'scheduled');
    assert.equal(res.body.dueAt, at.toISOString());
    const s = await sessions().findById(res.body.id).lean();
    assert.equal(s!.status, 'scheduled');
    // A callback for later holds no lock yet: the number may still ring and get its own callback meanwhile.
    assert.equal(await callbackLockModel(testDb()).countDocuments({ sessionId: s!._id }), 0);
    const scheduled = await rig.admin.get('/api/calls?status=scheduled').expect(200);
    assert.equal(scheduled.body.items.length, 1);

    assert.deepEqual(await rig.runJobs(HOUR), [], 'placed an hour early');
    const [create] = await rig.runJobs(HOUR);
    assert.ok(create, 'not placed at its time');
    assert.equal(create.params.To, CALLER);
    const placed = await sessions().findById(res.body.id).lean();
    assert.equal(placed!.status, 'calling');
    assert.equal(await callbackLockModel(testDb()).countDocuments({ sessionId: s!._id }), 1, 'the lock is taken when it is placed');
  });

  it('when the requested time falls inside the quiet hours, then the callback waits until they end', async () => {
    // The manual clock starts at 10:00 UTC, which is 11:00 in Berlin (winter time).
    await rig.seed({ callback: { quietHours: { start: '10:30', end: '13:15', timeZone: 'Europe/Berlin' } } });
    const res = await request({ number: CALLER }, 202);
    assert.equal(res.body.status, 'scheduled');
    assert.equal(res.body.dueAt, '2026-01-15T12:15:00.000Z');
    assert.deepEqual(await rig.runJobs(2 * HOUR), [], 'placed inside the quiet hours');
    const [create] = await rig.runJobs(HOUR / 4);
    assert.ok(create, 'not placed when the quiet hours ended');
  });

  it('when quiet hours are malformed, then a 400 names the field; valid ones are shown back', async () => {
    await rig.seed();
    const patch = (quietHours: unknown) => rig.admin.patch(`/api/extensions/${rig.extensionId}`, { callback: { quietHours } });
    const bad: [unknown, string][] = [
      [{ start: '25:00', end: '07:00', timeZone: 'UTC' }, 'callback.quietHours.start'],
      [{ start: '22:00', end: '22:00', timeZone: 'UTC' }, 'callback.quietHours.end'],
      [{ start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' }, 'callback.quietHours.timeZone'],
    ];
    for (const [quietHours, path] of bad) {
      const res = await patch(quietHours).expect(400);
      assert.deepEqual(
        res.body.error.fields.map((f: { path: string }) => f.path),
        [path],
        JSON.stringify(res.body),
      );
    }
    const ok = await patch({ start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' }).expect(200);
    assert.deepEqual(ok.body.callback.quietHours, { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' });
    const cleared = await patch(null).expect(200);
    assert.equal(cleared.body.callback.quietHours, null);
  });

  it('when a scheduled callback is cancelled, then it is never placed and a second cancel is refused', async () => {
    await rig.seed();
    const at = new Date(rig.t.clock.now().getTime() + HOUR);
    const res = await request({ number: CALLER, at: at.toISOString() }, 202);
    await rig.admin.delete(`/api/callbacks/${res.body.id}`).expect(204);
    const s = await sessions().findById(res.body.id).lean();
    assert.equal(s!.status, 'cancelled');
    assert.equal(s!.reason, 'callback-cancelled');
    assert.deepEqual(await rig.runJobs(2 * HOUR), []);
    const again = await rig.admin.delete(`/api/callbacks/${res.body.id}`).expect(409);
    assert.equal(again.body.error.code, 'callback-not-cancellable');
  });

  it('when a queued callback is cancelled, then its lock is freed for the next request; once placed, a cancel is refused', async () => {
    await rig.seed();
    const first = await request({ number: CALLER }, 202);
    const busy = await request({ number: CALLER }, 409);
    assert.equal(busy.body.error.code, 'callback-already-active');
    await rig.admin.delete(`/api/callbacks/${first.body.id}`).expect(204);
    assert.equal(await jobModel(testDb()).countDocuments({ sessionId: first.body.id, state: 'queued' }), 0);

    const second = await request({ number: CALLER }, 202);
    const creates = await rig.runJobs(0);
    assert.equal(creates.length, 1);
    const placed = await rig.admin.delete(`/api/callbacks/${second.body.id}`).expect(409);
    assert.equal(placed.body.error.code, 'callback-not-cancellable');
    assert.match(placed.body.error.message, /calling/);
  });

  it('when the number is not authorized, then the request is refused with the reason the stored call record gives', async () => {
    await rig.seed();
    const res = await request({ number: STRANGER }, 409);
    assert.equal(res.body.error.code, 'caller-not-authorized');
    const s = await sessions().findOne({ origin: 'api' }).lean();
    assert.equal(s!.status, 'refused');
    assert.equal(s!.reason, 'caller-not-authorized');
    assert.match(res.body.error.message, new RegExp(String(s!._id)));
    assert.deepEqual(await rig.runJobs(HOUR), []);
  });

  it('when the requested destination is one the client may not call, then the request is refused before any call', async () => {
    await rig.seed({ client: { denyPrefixes: ['+4420794'] } });
    const res = await request({ number: CALLER, destination: '+442079460000' }, 409);
    assert.equal(res.body.error.code, 'destination-refused');
    assert.deepEqual(await rig.runJobs(0), []);
  });

  it('when the body is out of bounds, then a 400 names the field', async () => {
    await rig.seed();
    const tooFar = new Date(rig.t.clock.now().getTime() + 8 * 24 * HOUR).toISOString();
    const far = await request({ number: CALLER, at: tooFar }, 400);
    assert.deepEqual(
      far.body.error.fields.map((f: { path: string }) => f.path),
      ['at'],
    );
    const past = await request({ number: CALLER, at: new Date(rig.t.clock.now().getTime() - HOUR).toISOString() }, 400);
    assert.equal(past.body.error.fields[0].path, 'at');
    const noNumber = await request({}, 400);
    assert.equal(noNumber.body.error.fields[0].path, 'number');
    const badDestination = await request({ number: CALLER, destination: 'call me' }, 400);
    assert.equal(badDestination.body.error.fields[0].path, 'destination');
    const unknownField = await request({ number: CALLER, when: 'now' }, 400);
    assert.ok(unknownField.body.error.message);
    assert.equal(await sessions().countDocuments({}), 0, 'a rejected request stored a session');
  });

  it('when the extension has a fixed number and no number is given, then the fixed number is called back', async () => {
    await rig.seed({ callback: { returnCalls: 'fixed', fixedNumber: '+12025550177', requireCallerPassword: false, password: '2468' } });
    const res = await request({}, 202);
    const s = await sessions().findById(res.body.id).lean();
    assert.equal(s!.target, '+12025550177');
    const [create] = await rig.runJobs(0);
    assert.equal(create!.params.To, '+12025550177');
  });

  it("when a client key asks for or cancels another client's callback, then it is not found", async () => {
    await rig.seed();
    const other = await createClientWithKey(rig.app, { rateTableId: (await rig.admin.get(`/api/clients/${rig.clientId}`).expect(200)).body.rateTableId });
    const foreign = await other.api.post('/api/callbacks', { extensionId: rig.extensionId, number: CALLER }).expect(404);
    assert.equal(foreign.body.error.code, 'not_found');
    assert.equal(await sessions().countDocuments({}), 0);
    const accepted = await rig.admin.post('/api/callbacks', { extensionId: rig.extensionId, number: CALLER }).expect(202);
    await other.api.delete(`/api/callbacks/${accepted.body.id}`).expect(404);
  });

  it('when a scheduled callback falls due while the number has another callback in progress, then it fails as already active and releases nothing of the other', async () => {
    await rig.seed();
    const at = new Date(rig.t.clock.now().getTime() + 10 * 60_000);
    const scheduled = await request({ number: CALLER, at: at.toISOString() }, 202);
    const ring = await rig.incoming(CALLER);
    const rung = await sessions().findOne({ inboundCallSid: ring.callSid }).lean();
    assert.equal(rung!.status, 'queued');
    // The rung callback is placed (and in progress) when the scheduled one falls due.
    const creates = await rig.runJobs(10 * 60_000);
    assert.equal(creates.length, 1);
    assert.equal(String(creates[0]!.params.Url).includes(String(rung!._id)), true);
    const s = await sessions().findById(scheduled.body.id).lean();
    assert.equal(s!.status, 'failed');
    assert.equal(s!.reason, 'callback-already-active');
    assert.equal(await callbackLockModel(testDb()).countDocuments({ sessionId: rung!._id }), 1);
  });
});
