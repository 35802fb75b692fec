import assert from 'node:assert/strict';
import type supertest from 'supertest';
import { callSessionModel } from '../../../models/call-session';
import { TEST_ACCOUNT_SID } from '../../support/harness';
import { apiAs, createClientWithKey, type ApiAs } from '../../support/api';
import { CALLER, CALLER_PIN, CallflowRig, NUMBER, STRANGER } from '../../support/callflow';
import { testDb } from '../../support/database';

const DESTINATION = '+442079460000';
const CALLER2 = '+12025550144';
const CALLER2_PIN = '8642';
const OTHER_NUMBER = '+442071838751';

interface Dial {
  status: string;
  duration?: number;
}

/** One whole callback call driven through signed webhooks: ring, callback, PIN, then each dial in turn. */
async function callThrough(rig: CallflowRig, opts: { from?: string; pin?: string; dials?: Dial[] } = {}) {
  const ring = await rig.incoming(opts.from ?? CALLER);
  const [create] = await rig.runJobs(5_000);
  assert.ok(create, 'no callback placed');
  const cbSid = rig.createdSid();
  await rig.status(create, cbSid, 'initiated');
  await rig.status(create, cbSid, 'ringing');
  const answered = await rig.answer(create, cbSid);
  let prompt = await rig.gather(answered, `${opts.pin ?? CALLER_PIN}#`, cbSid);
  for (const d of opts.dials ?? [{ status: 'completed', duration: 61 }]) {
    const dial = await rig.gather(prompt, '00442079460000#', cbSid);
    prompt = await rig.dialEnded(dial, cbSid, d);
  }
  await rig.status(create, cbSid, 'completed', { CallDuration: '95' });
  const session = await callSessionModel(testDb()).findOne({ inboundCallSid: ring.callSid }).lean();
  return { id: String(session!._id), cbSid };
}

/** A stranger ringing: refused (caller-not-authorized) after the same held ring. */
async function refusedCall(rig: CallflowRig, to = NUMBER) {
  const ring = to === NUMBER ? await rig.incoming(STRANGER) : await incomingTo(rig, to);
  const session = await callSessionModel(testDb()).findOne({ inboundCallSid: ring.callSid }).lean();
  assert.equal(session!.status, 'refused');
  return String(session!._id);
}

async function incomingTo(rig: CallflowRig, to: string) {
  const sid = `CA${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`;
  const pending = rig.post('/voice/incoming', {
    CallSid: sid,
    AccountSid: TEST_ACCOUNT_SID,
    From: STRANGER,
    To: to,
    CallStatus: 'ringing',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  });
  await rig.releaseHold();
  await pending;
  return { callSid: sid };
}

/** The PIN must not appear anywhere; ids and CallSids are hex and could hold "4321" by chance. */
function assertNoPin(res: supertest.Response, pins: string[] = [CALLER_PIN]) {
  const text = res.text.replace(/CA[0-9a-f]{32}|[0-9a-f]{24}/g, '<id>');
  for (const pin of pins) assert.ok(!text.includes(pin), `${pin} in ${text}`);
}

async function allPages(api: ApiAs, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res: supertest.Response = await api.get(`/api/calls?limit=1${query}${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
    assert.ok(res.body.items.length <= 1);
    ids.push(...res.body.items.map((c: { id: string }) => c.id));
    cursor = res.body.nextCursor;
  } while (cursor);
  return ids;
}

describe('config API: call records', () => {
  let rig: CallflowRig;
  beforeEach(async function () {
    this.timeout(90_000);
    rig = new CallflowRig();
    await rig.start();
    await rig.seed();
  });
  afterEach(() => rig.stop());

  it('when a completed call is read, then the record shows its timeline in order, the caller ID trace, the charge and the balance after it', async () => {
    const { id, cbSid } = await callThrough(rig);
    const res = await rig.admin.get(`/api/calls/${id}`).expect(200);
    const c = res.body;
    assert.equal(c.id, id);
    assert.equal(c.clientId, rig.clientId);
    assert.equal(c.extensionId, rig.extensionId);
    assert.equal(c.authorizedCallerId, rig.callerId);
    assert.equal(c.callerNumber, CALLER);
    assert.equal(c.calledNumber, NUMBER);
    assert.equal(c.target, CALLER);
    assert.equal(c.status, 'completed');
    assert.equal(c.reason, 'dial-completed');
    assert.deepEqual(c.callback, { attempts: 1, callSid: cbSid, lastStatus: 'completed' });
    assert.equal(c.destination, DESTINATION);
    assert.equal(c.dials, 1);
    assert.equal(c.charge, '0.04');

    const events: string[] = c.timeline.map((e: { event: string }) => e.event);
    const expected = ['incoming', 'decision', 'callback-placed', 'callback-answered', 'password-accepted', 'destination-dialed', 'dial', 'dial-ended', 'session-ended'];
    let at = -1;
    for (const e of expected) {
      const next = events.indexOf(e, at + 1);
      assert.ok(next > at, `${e} missing or out of order in ${events.join(', ')}`);
      at = next;
    }
    assert.ok(events.includes('callback-status'), 'status callbacks are part of the timeline');
    const times = c.timeline.map((e: { at: string }) => Date.parse(e.at));
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
      'timeline not in time order',
    );
    const decision = c.timeline.find((e: { event: string }) => e.event === 'decision');
    assert.deepEqual(decision.detail, { callback: true, reason: 'callback', target: CALLER });
    const dial = c.timeline.find((e: { event: string }) => e.event === 'dial');
    assert.equal(dial.detail.destination, DESTINATION);
    assert.equal(dial.detail.reserved, '4.80', 'amounts in the timeline are decimal strings');
    const ended = c.timeline.find((e: { event: string }) => e.event === 'dial-ended');
    assert.equal(ended.detail.charge, '0.04');
    assert.equal(ended.detail.balanceAfter, '9.96');

    assert.ok(Array.isArray(c.callerIdTrace) && c.callerIdTrace.length > 0);
    for (const t of c.callerIdTrace) assert.deepEqual(Object.keys(t).sort(), ['detail', 'rule']);

    assert.equal(c.charges.length, 1);
    const [charge] = c.charges;
    assert.equal(charge.reservationId, dial.detail.reservationId);
    assert.deepEqual(
      { ...charge, reservationId: undefined },
      { reservationId: undefined, leg: 'dial', destination: DESTINATION, seconds: 4 * 3600, duration: 61, charge: '0.04', state: 'settled', balanceAfter: '9.96' },
    );
    assertNoPin(res);

    // The client's own key reads it too.
    const own = await createClientKey(rig);
    const mine = await own.get(`/api/calls/${id}`).expect(200);
    assert.equal(mine.body.charge, '0.04');
  });

  it('when a stranger rings, then the refused call is recorded with its reason, no callback and no charge', async () => {
    const id = await refusedCall(rig);
    const c = (await rig.admin.get(`/api/calls/${id}`).expect(200)).body;
    assert.equal(c.status, 'refused');
    assert.equal(c.reason, 'caller-not-authorized');
    assert.equal(c.callerNumber, STRANGER);
    assert.equal(c.target, null);
    assert.equal(c.authorizedCallerId, null);
    assert.deepEqual(c.callback, { attempts: 0, callSid: null, lastStatus: null });
    assert.equal(c.destination, null);
    assert.equal(c.dials, 0);
    assert.equal(c.charge, '0.00');
    assert.deepEqual(c.charges, []);
    assert.equal(c.callerIdTrace, null);
    assert.deepEqual(
      c.timeline.map((e: { event: string; detail: unknown }) => [e.event, e.detail]),
      [
        ['incoming', { callSid: c.inboundCallSid, from: STRANGER, to: NUMBER }],
        ['decision', { callback: false, reason: 'caller-not-authorized', target: null }],
      ],
    );
  });

  it('when calls are listed, then they come newest first, page by page, and every filter narrows them', async function () {
    this.timeout(90_000);
    const ext2 = await rig.admin
      .post('/api/extensions', { clientId: rig.clientId, extensionNumber: '0003*004', name: 'Back office', callback: { returnCalls: 'authorized' } })
      .expect(201);
    await rig.admin.post(`/api/channels/${rig.channelId}/numbers`, { number: OTHER_NUMBER, clientId: rig.clientId, extensionId: ext2.body.id }).expect(201);

    const first = await callThrough(rig);
    const second = await callThrough(rig, { dials: [{ status: 'busy' }, { status: 'completed', duration: 30 }] });
    const refused = await refusedCall(rig);
    const refusedElsewhere = await refusedCall(rig, OTHER_NUMBER);
    const newestFirst = [refusedElsewhere, refused, second.id, first.id];

    const all = await rig.admin.get('/api/calls').expect(200);
    assert.deepEqual(
      all.body.items.map((c: { id: string }) => c.id),
      newestFirst,
    );
    assert.equal(all.body.nextCursor, null);
    assertNoPin(all);
    const byId = new Map(all.body.items.map((c: { id: string }) => [c.id, c]));
    const s = byId.get(second.id) as Record<string, unknown>;
    assert.equal(s.charge, '0.02');
    assert.equal(s.dials, 2);
    assert.equal((byId.get(first.id) as Record<string, unknown>).charge, '0.04');
    assert.equal((byId.get(refused) as Record<string, unknown>).charge, '0.00');
    assert.ok(!('timeline' in s) && !('charges' in s), 'the list leaves the timeline to the detail view');
    const created = all.body.items.map((c: { createdAt: string }) => Date.parse(c.createdAt));
    assert.deepEqual(
      [...created].sort((a, b) => b - a),
      created,
    );

    // pagination
    assert.deepEqual(await allPages(rig.admin, ''), newestFirst);
    const two = await rig.admin.get('/api/calls?limit=2').expect(200);
    assert.deepEqual(
      two.body.items.map((c: { id: string }) => c.id),
      newestFirst.slice(0, 2),
    );
    assert.equal(two.body.nextCursor, refused);

    const ids = async (q: string) => (await rig.admin.get(`/api/calls?${q}`).expect(200)).body.items.map((c: { id: string }) => c.id);
    assert.deepEqual(await ids(`extensionId=${rig.extensionId}`), [refused, second.id, first.id]);
    assert.deepEqual(await ids(`extensionId=${ext2.body.id}`), [refusedElsewhere]);
    assert.deepEqual(await ids('status=refused'), [refusedElsewhere, refused]);
    assert.deepEqual(await ids('status=completed'), [second.id, first.id]);
    assert.deepEqual(await ids('status=ringing'), []);
    assert.deepEqual(await ids(`status=refused&extensionId=${rig.extensionId}`), [refused]);
    assert.deepEqual(await allPages(rig.admin, '&status=completed'), [second.id, first.id]);

    const refusedAt = (byId.get(refused) as { createdAt: string }).createdAt;
    assert.deepEqual(await ids(`from=${encodeURIComponent(refusedAt)}`), [refusedElsewhere, refused], 'from is inclusive');
    assert.deepEqual(await ids(`to=${encodeURIComponent(refusedAt)}`), [second.id, first.id], 'to is exclusive');
    assert.deepEqual(await ids('from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z'), []);
    assert.deepEqual(await ids(`from=${encodeURIComponent(new Date(Date.parse(refusedAt) - 1).toISOString().replace('Z', '+00:00'))}&status=refused`), [refusedElsewhere, refused]);

    // operator: by client
    const other = await createClientWithKey(rig.app);
    assert.deepEqual(await ids(`clientId=${rig.clientId}`), newestFirst);
    assert.deepEqual(await ids(`clientId=${other.clientId}`), []);

    // invalid filters are refused with the field named
    for (const q of ['status=bogus', 'from=yesterday', 'to=2026-01-15', 'extensionId=12', 'limit=0', 'color=red']) {
      const bad = await rig.admin.get(`/api/calls?${q}`).expect(400);
      assert.equal(bad.body.error.code, 'validation_failed', q);
    }
  });

  it('when the report per authorized caller ID is asked, then it sums calls, talk time and cost of the settled dials', async function () {
    this.timeout(90_000);
    await rig.admin.patch(`/api/extensions/${rig.extensionId}/authorized-callers/${rig.callerId}`, { name: 'Alice' }).expect(200);
    const bob = await rig.admin.post(`/api/extensions/${rig.extensionId}/authorized-callers`, { number: CALLER2, password: CALLER2_PIN, name: 'Bob' }).expect(201);

    await callThrough(rig); // Alice: 61 s, 0.04
    await callThrough(rig, { dials: [{ status: 'busy' }, { status: 'completed', duration: 30 }] }); // Alice: 0 s + 30 s, 0.02
    await callThrough(rig, { from: CALLER2, pin: CALLER2_PIN, dials: [{ status: 'completed', duration: 300 }] }); // Bob: 5 min, 0.10
    await refusedCall(rig);

    const res = await rig.admin.get('/api/calls/reports/authorized-callers').expect(200);
    assert.deepEqual(res.body, [
      { authorizedCallerId: bob.body.id, number: CALLER2, name: 'Bob', calls: 1, seconds: 300, cost: '0.10' },
      { authorizedCallerId: rig.callerId, number: CALLER, name: 'Alice', calls: 2, seconds: 91, cost: '0.06' },
    ]);
    assertNoPin(res, [CALLER_PIN, CALLER2_PIN]);

    const own = await createClientKey(rig);
    assert.deepEqual((await own.get('/api/calls/reports/authorized-callers').expect(200)).body, res.body);
    assert.deepEqual((await rig.admin.get(`/api/calls/reports/authorized-callers?extensionId=${rig.extensionId}`).expect(200)).body, res.body);
    assert.deepEqual((await rig.admin.get(`/api/calls/reports/authorized-callers?clientId=${rig.clientId}`).expect(200)).body, res.body);

    // The dials happened on the manual clock's 2026-01-15.
    const window = (q: string) => rig.admin.get(`/api/calls/reports/authorized-callers?${q}`).expect(200);
    assert.deepEqual((await window('from=2026-01-15T00:00:00Z&to=2026-01-16T00:00:00Z')).body, res.body);
    assert.deepEqual((await window('from=2026-01-16T00:00:00Z')).body, []);
    assert.deepEqual((await window('to=2026-01-15T00:00:00Z')).body, []);

    const ext2 = await rig.admin
      .post('/api/extensions', { clientId: rig.clientId, extensionNumber: '0003*004', name: 'Back office', callback: { returnCalls: 'authorized' } })
      .expect(201);
    assert.deepEqual((await window(`extensionId=${ext2.body.id}`)).body, []);

    // A deleted caller ID's calls still count, under the number it called from.
    await rig.admin.delete(`/api/extensions/${rig.extensionId}/authorized-callers/${bob.body.id}`).expect(204);
    const after = await window(`extensionId=${rig.extensionId}`);
    assert.deepEqual(after.body[0], { authorizedCallerId: bob.body.id, number: CALLER2, name: null, calls: 1, seconds: 300, cost: '0.10' });

    await rig.admin.get('/api/calls/reports/authorized-callers?from=soon').expect(400);
  });

  it("when another client's key asks for the calls, then the detail is 404, the list and the report are empty", async () => {
    const { id } = await callThrough(rig);
    const refused = await refusedCall(rig);
    const b = await createClientWithKey(rig.app);

    for (const callId of [id, refused]) {
      const res = await b.api.get(`/api/calls/${callId}`).expect(404);
      assert.equal(res.body.error.code, 'not_found');
    }
    await b.api.get('/api/calls/not-an-id').expect(404);
    await rig.admin.get('/api/calls/0123456789abcdef01234567').expect(404);
    await rig.admin.get('/api/calls/reports').expect(404);

    const lists = [
      '/api/calls',
      `/api/calls?extensionId=${rig.extensionId}`,
      `/api/calls?clientId=${rig.clientId}`,
      '/api/calls/reports/authorized-callers',
      `/api/calls/reports/authorized-callers?extensionId=${rig.extensionId}&clientId=${rig.clientId}`,
    ];
    for (const url of lists) {
      const res = await b.api.get(url).expect(200);
      assert.deepEqual(Array.isArray(res.body) ? res.body : res.body.items, [], url);
      for (const leak of [id, refused, rig.clientId, rig.extensionId, rig.callerId, CALLER, STRANGER]) assert.ok(!res.text.includes(leak), `${url} leaks ${leak}`);
    }

    // A's own key still sees both.
    const own = await createClientKey(rig);
    assert.deepEqual(
      (await own.get('/api/calls').expect(200)).body.items.map((c: { id: string }) => c.id),
      [refused, id],
    );
  });
});

/** A key of the rig's client (the rig keeps only the operator's). */
async function createClientKey(rig: CallflowRig): Promise<ApiAs> {
  const key = await rig.admin.post(`/api/clients/${rig.clientId}/api-keys`, { name: 'calls' }).expect(201);
  return apiAs(rig.app, key.body.key);
}
