import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { channelModel } from '../../../models/channel';
import { extensionModel } from '../../../models/extension';
import { phoneNumberModel } from '../../../models/phone-number';
import { apiAs, createClientWithKey, type ApiAs } from '../../support/api';
import { testDb } from '../../support/database';
import { createExtensionDoc } from '../../support/extension-fixture';
import { createTestApp } from '../../support/harness';

const PASSWORD = 'S3cret-trunk-pa55!';

let seq = 0;
async function createChannel(admin: ApiAs, body: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const res = await admin.post('/api/channels', { name: `channel ${++seq}`, type: 'twilio', prefixes: ['+44'], ...body }).expect(201);
  return res.body as { id: string; name: string };
}

const paths = (res: { body: { error: { fields?: { path: string }[] } } }) => (res.body.error.fields ?? []).map((f) => f.path).sort();

describe('config API: channels', () => {
  it('when the operator creates, reads, lists, changes and deletes a Twilio channel, then each step is stored and shown', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const created = await admin.post('/api/channels', { name: '  PSTN UK  ', type: 'twilio', prefixes: ['+44', '+1'] }).expect(201);
    assert.equal(created.body._id, undefined);
    assert.equal(typeof created.body.id, 'string');
    assert.deepEqual(
      { name: created.body.name, type: created.body.type, prefixes: created.body.prefixes, sip: created.body.sip },
      { name: 'PSTN UK', type: 'twilio', prefixes: ['+44', '+1'], sip: null },
    );
    assert.ok(created.body.createdAt && created.body.updatedAt);

    const read = await admin.get(`/api/channels/${created.body.id}`).expect(200);
    assert.deepEqual(read.body, created.body);
    const list = await admin.get('/api/channels').expect(200);
    assert.deepEqual(
      list.body.items.map((c: { id: string }) => c.id),
      [created.body.id],
    );
    assert.equal(list.body.nextCursor, null);

    const patched = await admin.patch(`/api/channels/${created.body.id}`, { name: 'PSTN', prefixes: ['+4420'] }).expect(200);
    assert.equal(patched.body.name, 'PSTN');
    assert.deepEqual(patched.body.prefixes, ['+4420']);
    assert.equal((await channelModel(testDb()).findById(created.body.id).lean())!.name, 'PSTN');

    await admin.delete(`/api/channels/${created.body.id}`).expect(204);
    await admin.get(`/api/channels/${created.body.id}`).expect(404);
    await admin.patch(`/api/channels/${created.body.id}`, { name: 'gone' }).expect(404);
    await admin.delete(`/api/channels/${created.body.id}`).expect(404);
    await admin.get('/api/channels/not-an-id').expect(404);
  });

  it('when a channel has an empty prefix list, then it is accepted as the fallback route', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const res = await admin.post('/api/channels', { name: 'fallback', type: 'twilio', prefixes: [] }).expect(201);
    assert.deepEqual(res.body.prefixes, []);
  });

  it('when a SIP channel is created with a password, then only passwordSet is shown and the database holds it sealed', async () => {
    const { app, deps } = createTestApp();
    const admin = apiAs(app);
    const res = await admin
      .post('/api/channels', {
        name: 'trunk',
        type: 'sip',
        prefixes: ['+33'],
        sip: { domain: 'PBX.Example.com', username: 'acme', password: PASSWORD, transport: 'tls' },
      })
      .expect(201);
    assert.deepEqual(res.body.sip, { domain: 'pbx.example.com', username: 'acme', passwordSet: true, transport: 'tls' });

    const raw = await testDb()
      .db!.collection('channels')
      .findOne({ _id: new Types.ObjectId(res.body.id as string) });
    const passwordEnc = raw!.sip.passwordEnc as string;
    assert.notEqual(passwordEnc, PASSWORD);
    assert.ok(!JSON.stringify(raw).includes(PASSWORD), 'no plaintext password anywhere in the stored document');
    assert.equal(raw!.sip.password, undefined);
    assert.equal(deps.secretBox.open(passwordEnc), PASSWORD);

    const responses = [
      res,
      await admin.get(`/api/channels/${res.body.id}`).expect(200),
      await admin.get('/api/channels').expect(200),
      await admin.patch(`/api/channels/${res.body.id}`, { prefixes: ['+33', '+32'] }).expect(200),
    ];
    for (const r of responses) {
      const text = JSON.stringify(r.body);
      assert.ok(!text.includes(PASSWORD), 'the password is never returned');
      assert.ok(!text.includes(passwordEnc) && !text.includes('passwordEnc'), 'nor its sealed form');
    }
  });

  it('when SIP settings are patched, then an omitted password is kept, a new one is resealed and null clears it', async () => {
    const { app, deps } = createTestApp();
    const admin = apiAs(app);
    const ch = await createChannel(admin, { type: 'sip', sip: { domain: 'sip.example.net', password: PASSWORD } });
    const sealed = async () => (await channelModel(testDb()).findById(ch.id).lean())!.sip!.passwordEnc;
    const first = await sealed();

    const kept = await admin.patch(`/api/channels/${ch.id}`, { sip: { domain: 'sip2.example.net', transport: 'udp' } }).expect(200);
    assert.deepEqual(kept.body.sip, { domain: 'sip2.example.net', username: null, passwordSet: true, transport: 'udp' });
    assert.equal(await sealed(), first);

    const changed = await admin.patch(`/api/channels/${ch.id}`, { sip: { password: 'another-one', username: 'bob' } }).expect(200);
    assert.deepEqual(changed.body.sip, { domain: 'sip2.example.net', username: 'bob', passwordSet: true, transport: 'udp' });
    assert.equal(deps.secretBox.open((await sealed())!), 'another-one');
    assert.ok(!JSON.stringify(changed.body).includes('another-one'));

    const cleared = await admin.patch(`/api/channels/${ch.id}`, { sip: { password: null, transport: null } }).expect(200);
    assert.deepEqual(cleared.body.sip, { domain: 'sip2.example.net', username: 'bob', passwordSet: false, transport: null });
    assert.equal(await sealed(), null);
  });

  it('when type is "sip" without sip settings or "twilio" with them, then 400 on sip, on create and on change', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const noSip = await admin.post('/api/channels', { name: 'a', type: 'sip', prefixes: [] }).expect(400);
    assert.deepEqual(paths(noSip), ['sip']);
    const nullSip = await admin.post('/api/channels', { name: 'a', type: 'sip', prefixes: [], sip: null }).expect(400);
    assert.deepEqual(paths(nullSip), ['sip']);
    const twilioSip = await admin.post('/api/channels', { name: 'b', type: 'twilio', prefixes: [], sip: { domain: 'pbx.example.com' } }).expect(400);
    assert.deepEqual(paths(twilioSip), ['sip']);
    // Cross-field and field problems come back together.
    const both = await admin.post('/api/channels', { name: '', type: 'sip', prefixes: [] }).expect(400);
    assert.deepEqual(paths(both), ['name', 'sip']);

    const twilio = await createChannel(admin);
    const toSip = await admin.patch(`/api/channels/${twilio.id}`, { type: 'sip' }).expect(400);
    assert.deepEqual(paths(toSip), ['sip']);
    const sipOnTwilio = await admin.patch(`/api/channels/${twilio.id}`, { sip: { domain: 'pbx.example.com' } }).expect(400);
    assert.deepEqual(paths(sipOnTwilio), ['sip']);
    const noDomain = await admin.patch(`/api/channels/${twilio.id}`, { type: 'sip', sip: { username: 'x' } }).expect(400);
    assert.deepEqual(paths(noDomain), ['sip.domain']);
    const switched = await admin.patch(`/api/channels/${twilio.id}`, { type: 'sip', sip: { domain: 'pbx.example.com' } }).expect(200);
    assert.equal(switched.body.type, 'sip');

    const back = await admin.patch(`/api/channels/${twilio.id}`, { type: 'twilio' }).expect(400);
    assert.deepEqual(paths(back), ['sip']);
    const backClean = await admin.patch(`/api/channels/${twilio.id}`, { type: 'twilio', sip: null }).expect(200);
    assert.equal(backClean.body.sip, null);
  });

  it('when fields are unknown, missing or malformed, then 400 names each field', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const res = await admin
      .post('/api/channels', {
        name: { $gt: '' },
        type: 'pstn',
        prefixes: ['44', '+1', '+1', '+1 202'],
        colour: 'red',
      })
      .expect(400);
    assert.deepEqual(paths(res), ['colour', 'name', 'prefixes.0', 'prefixes.2', 'prefixes.3', 'type']);
    assert.equal(res.body.error.code, 'validation_failed');

    const missing = await admin.post('/api/channels', {}).expect(400);
    assert.deepEqual(paths(missing), ['name', 'prefixes', 'type']);

    const sip = await admin
      .post('/api/channels', {
        name: 'trunk',
        type: 'sip',
        prefixes: [],
        sip: { domain: 'not a host!', username: 'has space', password: '', transport: 'sctp', realm: 'x' },
      })
      .expect(400);
    assert.deepEqual(paths(sip), ['sip.domain', 'sip.password', 'sip.realm', 'sip.transport', 'sip.username']);

    for (const domain of ['-bad.example.com', 'a..b', 'sip:pbx.example.com', 'pbx.example.com:5060', '']) {
      const r = await admin.post('/api/channels', { name: 'trunk', type: 'sip', prefixes: [], sip: { domain } }).expect(400);
      assert.deepEqual(paths(r), ['sip.domain'], domain);
    }
    const ch = await createChannel(admin);
    const patch = await admin.patch(`/api/channels/${ch.id}`, { prefixes: ['+44', '+44'], createdAt: 'now' }).expect(400);
    assert.deepEqual(paths(patch), ['createdAt', 'prefixes.1']);
    await admin.get('/api/channels?limit=201').expect(400);
    await admin.get('/api/channels?cursor[$gt]=').expect(400);
  });

  it('when two channels get the same name, on create or rename, then 409 duplicate', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    await createChannel(admin, { name: 'Same' });
    const dup = await admin.post('/api/channels', { name: 'Same', type: 'twilio', prefixes: [] }).expect(409);
    assert.equal(dup.body.error.code, 'duplicate');
    assert.deepEqual(paths(dup), ['name']);
    const other = await createChannel(admin, { name: 'Other' });
    const rename = await admin.patch(`/api/channels/${other.id}`, { name: 'Same' }).expect(409);
    assert.equal(rename.body.error.code, 'duplicate');
  });

  it('when there are more channels than the limit, then the list is paginated newest first with a cursor', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createChannel(admin)).id);
    const first = await admin.get('/api/channels?limit=2').expect(200);
    assert.deepEqual(
      first.body.items.map((c: { id: string }) => c.id),
      [ids[2], ids[1]],
    );
    const second = await admin.get(`/api/channels?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    assert.deepEqual(
      second.body.items.map((c: { id: string }) => c.id),
      [ids[0]],
    );
    assert.equal(second.body.nextCursor, null);
  });

  it("when a channel's number is an extension's caller ID, then deleting the channel is 409 in_use", async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    const ch = await createChannel(admin);
    await admin.post(`/api/channels/${ch.id}/numbers`, { number: '+442071838750', clientId: a.clientId }).expect(201);
    const ext = await createExtensionDoc(a.clientId, { numbers: ['+442071838750'] });
    const res = await admin.delete(`/api/channels/${ch.id}`).expect(409);
    assert.equal(res.body.error.code, 'in_use');
    assert.match(res.body.error.message, /\+442071838750/);
    assert.ok(await channelModel(testDb()).exists({ _id: ch.id }));
    assert.equal(await phoneNumberModel(testDb()).countDocuments({ channelId: ch.id }), 1);
    // Still in use as the default caller ID alone.
    await extensionModel(testDb()).updateOne({ _id: ext }, { $set: { 'callerId.numbers': [], 'callerId.defaultNumber': '+442071838750' } });
    assert.equal((await admin.delete(`/api/channels/${ch.id}`).expect(409)).body.error.code, 'in_use');
  });

  it("when a channel's number rings back to an extension or is assigned to a client, then deleting the channel is 409 in_use", async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    const ext = await createExtensionDoc(a.clientId);
    const ch = await createChannel(admin);
    const n = await admin.post(`/api/channels/${ch.id}/numbers`, { number: '+442071838750', clientId: a.clientId, extensionId: ext }).expect(201);
    const ringing = await admin.delete(`/api/channels/${ch.id}`).expect(409);
    assert.equal(ringing.body.error.code, 'in_use');
    assert.match(ringing.body.error.message, /ring back/);

    await admin.patch(`/api/numbers/${n.body.id}`, { extensionId: null }).expect(200);
    const assigned = await admin.delete(`/api/channels/${ch.id}`).expect(409);
    assert.equal(assigned.body.error.code, 'in_use');
    assert.match(assigned.body.error.message, /assigned to clients/);

    await admin.patch(`/api/numbers/${n.body.id}`, { clientId: null }).expect(200);
    await admin.delete(`/api/channels/${ch.id}`).expect(204);
  });

  it('when a channel whose numbers nobody uses is deleted, then its unassigned numbers go with it and other channels keep theirs', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    // A caller ID on another channel does not block this one.
    await createExtensionDoc(a.clientId, { numbers: ['+442071838799'], defaultNumber: '+442071838799' });
    const keep = await createChannel(admin);
    await admin.post(`/api/channels/${keep.id}/numbers`, { number: '+442071838799', clientId: a.clientId }).expect(201);
    const ch = await createChannel(admin);
    await admin.post(`/api/channels/${ch.id}/numbers`, { number: '+442071838750', clientId: null }).expect(201);
    await admin.post(`/api/channels/${ch.id}/numbers`, { number: '+442071838751', clientId: null }).expect(201);
    await admin.delete(`/api/channels/${ch.id}`).expect(204);
    assert.equal(await phoneNumberModel(testDb()).countDocuments({ channelId: ch.id }), 0);
    assert.equal(await phoneNumberModel(testDb()).countDocuments({ channelId: keep.id }), 1);
  });

  it('when a client key calls any channel route, then 404, and nothing changes', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    const ch = await createChannel(admin, { name: 'untouched' });
    const checks = [
      await a.api.post('/api/channels', { name: 'mine', type: 'twilio', prefixes: [] }),
      await a.api.get('/api/channels'),
      await a.api.get(`/api/channels/${ch.id}`),
      await a.api.patch(`/api/channels/${ch.id}`, { name: 'hijacked' }),
      await a.api.delete(`/api/channels/${ch.id}`),
      await a.api.post(`/api/channels/${ch.id}/numbers`, { number: '+442071838750', clientId: a.clientId }),
    ];
    for (const r of checks) {
      assert.equal(r.status, 404, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'route_not_found');
    }
    const stored = await channelModel(testDb()).find().lean();
    assert.deepEqual(
      stored.map((c) => c.name),
      ['untouched'],
    );
    assert.equal(await phoneNumberModel(testDb()).countDocuments({}), 0);
  });
});
