import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { phoneNumberModel } from '../../../models/phone-number';
import { apiAs, createClientWithKey, type ApiAs } from '../../support/api';
import { testDb } from '../../support/database';
import { createExtensionDoc } from '../../support/extension-fixture';
import { createTestApp } from '../../support/harness';

let seq = 0;
async function createChannel(admin: ApiAs, body: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const res = await admin.post('/api/channels', { name: `channel ${++seq}`, type: 'twilio', prefixes: ['+44'], ...body }).expect(201);
  return res.body as { id: string; name: string };
}

const paths = (res: { body: { error: { fields?: { path: string }[] } } }) => (res.body.error.fields ?? []).map((f) => f.path).sort();
const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id).sort();
const MISSING = '0123456789abcdef01234567';

async function setup() {
  const t = createTestApp();
  const admin = apiAs(t.app);
  const a = await createClientWithKey(t.app);
  const b = await createClientWithKey(t.app);
  const ch = await createChannel(admin, { name: 'UK PSTN' });
  const addNumber = async (number: string, clientId: string | null, extensionId?: string, channelId = ch.id) =>
    (await admin.post(`/api/channels/${channelId}/numbers`, { number, clientId, ...(extensionId ? { extensionId } : {}) }).expect(201)).body as {
      id: string;
      number: string;
    };
  return { ...t, admin, a, b, ch, addNumber };
}

describe('config API: public numbers', () => {
  it('when the operator adds a number written with spaces, then it is stored in E.164 and shown with its channel', async () => {
    const { admin, a, ch } = await setup();
    const ext = await createExtensionDoc(a.clientId);
    const res = await admin.post(`/api/channels/${ch.id}/numbers`, { number: '+44 20 7183 8750', clientId: a.clientId, extensionId: ext }).expect(201);
    assert.equal(res.body.number, '+442071838750');
    assert.deepEqual(res.body.channel, { id: ch.id, name: 'UK PSTN', type: 'twilio' });
    assert.equal(res.body.clientId, a.clientId);
    assert.equal(res.body.extensionId, ext);
    assert.equal(res.body._id, undefined);
    assert.deepEqual(Object.keys(res.body).sort(), ['channel', 'clientId', 'createdAt', 'extensionId', 'id', 'number', 'updatedAt']);
    const stored = await phoneNumberModel(testDb()).findById(res.body.id).lean();
    assert.equal(stored!.number, '+442071838750');
    assert.equal(String(stored!.channelId), ch.id);

    const read = await admin.get(`/api/numbers/${res.body.id}`).expect(200);
    assert.deepEqual(read.body, res.body);
  });

  it('when a number has no client, then it sits in the unassigned pool with no extension', async () => {
    const { admin, ch } = await setup();
    const res = await admin.post(`/api/channels/${ch.id}/numbers`, { number: '+442071838750', clientId: null }).expect(201);
    assert.equal(res.body.clientId, null);
    assert.equal(res.body.extensionId, null);
  });

  it('when fields are unknown, missing or malformed, then 400 names each field', async () => {
    const { admin, ch } = await setup();
    const bad = await admin.post(`/api/channels/${ch.id}/numbers`, { number: '12345', clientId: 'nope', extensionId: { $ne: null }, colour: 'red' }).expect(400);
    assert.deepEqual(paths(bad), ['clientId', 'colour', 'extensionId', 'number']);
    assert.equal(bad.body.error.code, 'validation_failed');
    const missing = await admin.post(`/api/channels/${ch.id}/numbers`, {}).expect(400);
    assert.deepEqual(paths(missing), ['clientId', 'number']);
    for (const number of ['not a number', '+44 20', '+999 123 456 789', { $gt: '' }]) {
      const r = await admin.post(`/api/channels/${ch.id}/numbers`, { number, clientId: null }).expect(400);
      assert.deepEqual(paths(r), ['number'], JSON.stringify(number));
    }
  });

  it('when the client does not exist, then 400 on clientId', async () => {
    const { admin, ch } = await setup();
    const res = await admin.post(`/api/channels/${ch.id}/numbers`, { number: '+442071838750', clientId: MISSING }).expect(400);
    assert.deepEqual(paths(res), ['clientId']);
    assert.equal(await phoneNumberModel(testDb()).countDocuments({}), 0);
  });

  it("when the extension is missing, another client's, or the number has no client, then 400 on extensionId", async () => {
    const { admin, a, b, ch } = await setup();
    const bExt = await createExtensionDoc(b.clientId);
    const aExt = await createExtensionDoc(a.clientId);
    for (const [clientId, extensionId] of [
      [a.clientId, bExt],
      [a.clientId, MISSING],
      [null, aExt],
    ] as const) {
      const res = await admin.post(`/api/channels/${ch.id}/numbers`, { number: '+442071838750', clientId, extensionId }).expect(400);
      assert.deepEqual(paths(res), ['extensionId'], `${clientId} ${extensionId}`);
    }
    assert.equal(await phoneNumberModel(testDb()).countDocuments({}), 0);
  });

  it('when the same number is added twice, even formatted differently or on another channel, then 409 duplicate', async () => {
    const { admin, a, ch, addNumber } = await setup();
    await addNumber('+442071838750', a.clientId);
    const other = await createChannel(admin);
    for (const [channelId, number] of [
      [ch.id, '+442071838750'],
      [other.id, '+44 (0)20 7183 8750'],
    ]) {
      const res = await admin.post(`/api/channels/${channelId}/numbers`, { number, clientId: null }).expect(409);
      assert.equal(res.body.error.code, 'duplicate');
      assert.deepEqual(paths(res), ['number']);
    }
  });

  it('when the channel does not exist, then adding or listing its numbers is 404 for the operator', async () => {
    const { admin } = await setup();
    await admin.post(`/api/channels/${MISSING}/numbers`, { number: '+442071838750', clientId: null }).expect(404);
    await admin.post('/api/channels/bad-id/numbers', { number: '+442071838750', clientId: null }).expect(404);
    await admin.get(`/api/channels/${MISSING}/numbers`).expect(404);
  });

  it("when a channel's numbers are listed, then the operator sees all and a client key only its own", async () => {
    const { admin, a, b, ch, addNumber } = await setup();
    const na = await addNumber('+442071838750', a.clientId);
    const nb = await addNumber('+442071838751', b.clientId);
    const pool = await addNumber('+442071838752', null);
    const elsewhere = await createChannel(admin);
    await addNumber('+442071838753', a.clientId, undefined, elsewhere.id);

    assert.deepEqual(ids(await admin.get(`/api/channels/${ch.id}/numbers`).expect(200)), [na.id, nb.id, pool.id].sort());
    assert.deepEqual(ids(await a.api.get(`/api/channels/${ch.id}/numbers`).expect(200)), [na.id]);
    assert.deepEqual(ids(await b.api.get(`/api/channels/${ch.id}/numbers`).expect(200)), [nb.id]);
    // A client key learns nothing about which channels exist.
    assert.deepEqual(ids(await a.api.get(`/api/channels/${MISSING}/numbers`).expect(200)), []);

    const first = await admin.get(`/api/channels/${ch.id}/numbers?limit=2`).expect(200);
    assert.equal(first.body.items.length, 2);
    const second = await admin.get(`/api/channels/${ch.id}/numbers?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    assert.deepEqual(
      second.body.items.map((n: { id: string }) => n.id),
      [na.id],
    );
    assert.equal(second.body.nextCursor, null);
    await admin.get(`/api/channels/${ch.id}/numbers?limit=0`).expect(400);
  });

  it('when all numbers are listed, then they are scoped to the tenant, filtered by channel and extension, and paginated', async () => {
    const { admin, a, b, addNumber } = await setup();
    const other = await createChannel(admin, { type: 'sip', name: 'trunk', sip: { domain: 'pbx.example.com' } });
    const ext = await createExtensionDoc(a.clientId);
    const n1 = await addNumber('+442071838750', a.clientId, ext);
    const n2 = await addNumber('+442071838751', a.clientId, undefined, other.id);
    const n3 = await addNumber('+442071838752', b.clientId);
    const n4 = await addNumber('+442071838753', null, undefined, other.id);

    assert.deepEqual(ids(await admin.get('/api/numbers').expect(200)), [n1.id, n2.id, n3.id, n4.id].sort());
    assert.deepEqual(ids(await a.api.get('/api/numbers').expect(200)), [n1.id, n2.id].sort());
    assert.deepEqual(ids(await b.api.get('/api/numbers').expect(200)), [n3.id]);
    assert.deepEqual(ids(await admin.get(`/api/numbers?channelId=${other.id}`).expect(200)), [n2.id, n4.id].sort());
    assert.deepEqual(ids(await a.api.get(`/api/numbers?channelId=${other.id}`).expect(200)), [n2.id]);
    assert.deepEqual(ids(await admin.get(`/api/numbers?extensionId=${ext}`).expect(200)), [n1.id]);
    assert.deepEqual(ids(await b.api.get(`/api/numbers?extensionId=${ext}`).expect(200)), []);

    const sipNumber = (await a.api.get(`/api/numbers?channelId=${other.id}`).expect(200)).body.items[0];
    assert.deepEqual(sipNumber.channel, { id: other.id, name: 'trunk', type: 'sip' });

    const first = await admin.get('/api/numbers?limit=3').expect(200);
    assert.equal(first.body.items.length, 3);
    const second = await admin.get(`/api/numbers?limit=3&cursor=${first.body.nextCursor}`).expect(200);
    assert.equal(second.body.items.length, 1);
    assert.equal(second.body.nextCursor, null);

    for (const q of ['channelId=nope', 'extensionId[$ne]=x', `clientId=${b.clientId}`, 'limit=201']) {
      await a.api.get(`/api/numbers?${q}`).expect(400);
    }
  });

  it("when a client key reads, changes or deletes another client's number, then 404", async () => {
    const { a, b, addNumber } = await setup();
    const nb = await addNumber('+442071838751', b.clientId);
    const pool = await addNumber('+442071838752', null);
    const aExt = await createExtensionDoc(a.clientId);
    for (const id of [nb.id, pool.id]) {
      await a.api.get(`/api/numbers/${id}`).expect(404);
      await a.api.patch(`/api/numbers/${id}`, { extensionId: aExt }).expect(404);
      await a.api.patch(`/api/numbers/${id}`, { clientId: a.clientId }).expect(404);
      await a.api.delete(`/api/numbers/${id}`).expect(404);
    }
    await a.api.get('/api/numbers/not-an-id').expect(404);
    await b.api.get(`/api/numbers/${nb.id}`).expect(200);
    const stored = await phoneNumberModel(testDb()).findById(nb.id).lean();
    assert.equal(String(stored!.clientId), b.clientId);
    assert.equal(stored!.extensionId, null);
  });

  it('when a client key sets which of its extensions its number rings back to, then it may, and only to its own', async () => {
    const { a, b, addNumber } = await setup();
    const n = await addNumber('+442071838750', a.clientId);
    const aExt = await createExtensionDoc(a.clientId);
    const bExt = await createExtensionDoc(b.clientId);

    const set = await a.api.patch(`/api/numbers/${n.id}`, { extensionId: aExt }).expect(200);
    assert.equal(set.body.extensionId, aExt);
    const foreign = await a.api.patch(`/api/numbers/${n.id}`, { extensionId: bExt }).expect(400);
    assert.deepEqual(paths(foreign), ['extensionId']);
    const cleared = await a.api.patch(`/api/numbers/${n.id}`, { extensionId: null }).expect(200);
    assert.equal(cleared.body.extensionId, null);

    // Only the operator assigns numbers to clients: a client naming clientId (even its own) is told so.
    for (const clientId of [b.clientId, a.clientId, null]) {
      const res = await a.api.patch(`/api/numbers/${n.id}`, { clientId }).expect(400);
      assert.deepEqual(paths(res), ['clientId']);
      assert.match(res.body.error.message, /only the operator/);
    }
    const stored = await phoneNumberModel(testDb()).findById(n.id).lean();
    assert.equal(String(stored!.clientId), a.clientId);
    const bad = await a.api.patch(`/api/numbers/${n.id}`, { number: '+442071838799' }).expect(400);
    assert.deepEqual(paths(bad), ['number']);
  });

  it('when the operator moves a number to another client or the pool, then its extension is cleared', async () => {
    const { admin, a, b, addNumber } = await setup();
    const aExt = await createExtensionDoc(a.clientId);
    const bExt = await createExtensionDoc(b.clientId);
    const n = await addNumber('+442071838750', a.clientId, aExt);

    const same = await admin.patch(`/api/numbers/${n.id}`, { clientId: a.clientId }).expect(200);
    assert.equal(same.body.extensionId, aExt, 'the same client keeps the extension');

    const moved = await admin.patch(`/api/numbers/${n.id}`, { clientId: b.clientId }).expect(200);
    assert.equal(moved.body.clientId, b.clientId);
    assert.equal(moved.body.extensionId, null);

    const withExt = await admin.patch(`/api/numbers/${n.id}`, { clientId: a.clientId, extensionId: aExt }).expect(200);
    assert.deepEqual([withExt.body.clientId, withExt.body.extensionId], [a.clientId, aExt]);
    const wrongExt = await admin.patch(`/api/numbers/${n.id}`, { clientId: b.clientId, extensionId: aExt }).expect(400);
    assert.deepEqual(paths(wrongExt), ['extensionId']);

    const pooled = await admin.patch(`/api/numbers/${n.id}`, { clientId: null }).expect(200);
    assert.deepEqual([pooled.body.clientId, pooled.body.extensionId], [null, null]);
    const poolExt = await admin.patch(`/api/numbers/${n.id}`, { extensionId: bExt }).expect(400);
    assert.deepEqual(paths(poolExt), ['extensionId']);
    const noClient = await admin.patch(`/api/numbers/${n.id}`, { clientId: MISSING }).expect(400);
    assert.deepEqual(paths(noClient), ['clientId']);
    await admin.patch(`/api/numbers/${MISSING}`, { clientId: null }).expect(404);
  });

  it("when a number is a caller ID or the default of its client's extension, then moving it to another client is 409 in_use", async () => {
    const { admin, a, b, addNumber } = await setup();
    const n = await addNumber('+442071838750', a.clientId);
    const m = await addNumber('+442071838751', a.clientId);
    await createExtensionDoc(a.clientId, { numbers: ['+442071838750'], defaultNumber: '+442071838751' });
    for (const id of [n.id, m.id]) {
      for (const clientId of [b.clientId, null]) {
        const res = await admin.patch(`/api/numbers/${id}`, { clientId }).expect(409);
        assert.equal(res.body.error.code, 'in_use');
      }
    }
    const stored = await phoneNumberModel(testDb())
      .find({ clientId: new Types.ObjectId(a.clientId) })
      .lean();
    assert.equal(stored.length, 2);
    // The extension may still change which extension the number rings back to.
    const aExt = await createExtensionDoc(a.clientId);
    await admin.patch(`/api/numbers/${n.id}`, { extensionId: aExt }).expect(200);
  });

  it('when the operator deletes a number, then it is gone unless an extension presents it as a caller ID or default (409 in_use)', async () => {
    const { admin, a, addNumber } = await setup();
    const free = await addNumber('+442071838750', a.clientId);
    const callerId = await addNumber('+442071838751', a.clientId);
    const byDefault = await addNumber('+442071838752', a.clientId);
    await createExtensionDoc(a.clientId, { numbers: ['+442071838751'], defaultNumber: '+442071838752' });

    for (const id of [callerId.id, byDefault.id]) {
      const res = await admin.delete(`/api/numbers/${id}`).expect(409);
      assert.equal(res.body.error.code, 'in_use');
    }
    await a.api.delete(`/api/numbers/${free.id}`).expect(404);
    await admin.delete(`/api/numbers/${free.id}`).expect(204);
    await admin.get(`/api/numbers/${free.id}`).expect(404);
    await admin.delete(`/api/numbers/${free.id}`).expect(404);
    assert.equal(await phoneNumberModel(testDb()).countDocuments({}), 2);
  });

  it('when a client key adds a number to a channel, then 404 and nothing is stored', async () => {
    const { a, ch } = await setup();
    const res = await a.api.post(`/api/channels/${ch.id}/numbers`, { number: '+442071838750', clientId: a.clientId }).expect(404);
    assert.equal(res.body.error.code, 'route_not_found');
    assert.equal(await phoneNumberModel(testDb()).countDocuments({}), 0);
  });
});
