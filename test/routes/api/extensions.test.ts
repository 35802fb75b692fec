import assert from 'node:assert/strict';
import { channelModel } from '../../../models/channel';
import { extensionModel } from '../../../models/extension';
import { phoneNumberModel } from '../../../models/phone-number';
import { apiAs, createClientWithKey } from '../../support/api';
import { testDb } from '../../support/database';
import { createTestApp } from '../../support/harness';

/** Numbers are created in the database directly here; the channels/numbers API has its own tests. */
async function addNumber(clientId: string | null, number: string, channelName = 'Resource #1', type: 'twilio' | 'sip' = 'twilio') {
  const channels = channelModel(testDb());
  const channel =
    (await channels.findOne({ name: channelName }).lean()) ??
    (await channels.create({ name: channelName, type, prefixes: [], sip: type === 'sip' ? { domain: 'trunk.example.com' } : null })).toObject();
  await phoneNumberModel(testDb()).create({ number, channelId: channel._id, clientId });
  return channel;
}

const minimal = { extensionNumber: '0003*003', name: 'Front desk', callback: { returnCalls: 'caller' } };

describe('config API: callback extensions', () => {
  it('when created with only the required fields, then every option of the seed gets its default', async () => {
    const { app } = createTestApp();
    const { clientId } = await createClientWithKey(app);
    const res = await apiAs(app)
      .post('/api/extensions', { clientId, ...minimal })
      .expect(201);
    assert.deepEqual(res.body.callback, {
      triggerAfterSeconds: 5,
      returnCalls: 'caller',
      fixedNumber: null,
      disconnectSound: null,
      dialWindowSeconds: 15,
      passwordSet: false,
      requireCallerPassword: false,
      allowCreditQuery: false,
      chargeCallbackLeg: true,
      retry: { attempts: 2, delaySeconds: 30, ringTimeoutSeconds: 30, detectMachine: true },
      language: 'en-US',
      defaultLanguage: null,
      voice: null,
      quietHours: null,
      prompts: {},
    });
    assert.deepEqual(res.body.callerId, {
      name: { mode: 'server', value: null },
      number: { mode: 'server', value: null },
      numbers: [],
      defaultNumber: null,
      hide: false,
      sendIdentityHeaders: false,
    });
    assert.ok(Array.isArray(res.body.warnings));
  });

  it('when triggerAfterSeconds exceeds 12, then 400 explains the Twilio webhook limit', async () => {
    const { app } = createTestApp();
    const { clientId } = await createClientWithKey(app);
    const res = await apiAs(app)
      .post('/api/extensions', { clientId, ...minimal, callback: { returnCalls: 'caller', triggerAfterSeconds: 13 } })
      .expect(400);
    assert.equal(res.body.error.fields[0].path, 'callback.triggerAfterSeconds');
    assert.match(res.body.error.fields[0].message, /15 s/);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['fixed without a number', { callback: { returnCalls: 'fixed' } }, 'callback.fixedNumber'],
    ['a fixed number while returning to the caller', { callback: { returnCalls: 'caller', fixedNumber: '+442071838750' } }, 'callback.fixedNumber'],
    ['an invalid fixed number', { callback: { returnCalls: 'fixed', fixedNumber: '12' } }, 'callback.fixedNumber'],
    ['an unknown return mode', { callback: { returnCalls: 'everyone' } }, 'callback.returnCalls'],
    ['a dial window under 3 s', { callback: { returnCalls: 'caller', dialWindowSeconds: 2 } }, 'callback.dialWindowSeconds'],
    ['a dial window over 120 s', { callback: { returnCalls: 'caller', dialWindowSeconds: 121 } }, 'callback.dialWindowSeconds'],
    ['a 3-digit password', { callback: { returnCalls: 'caller', password: '123' } }, 'callback.password'],
    ['a password with letters', { callback: { returnCalls: 'caller', password: '12ab34' } }, 'callback.password'],
    ['6 retry attempts', { callback: { returnCalls: 'caller', retry: { attempts: 6 } } }, 'callback.retry.attempts'],
    ['a disconnect sound that is an http URL', { callback: { returnCalls: 'caller', disconnectSound: 'http://x.example/a.wav' } }, 'callback.disconnectSound'],
    ['a disconnect sound id that does not exist', { callback: { returnCalls: 'caller', disconnectSound: '0123456789abcdef01234567' } }, 'callback.disconnectSound'],
    ['a user name mode without value', { callerId: { name: { mode: 'user' } } }, 'callerId.name.value'],
    ['a name value in server mode', { callerId: { name: { mode: 'server', value: 'Acme' } } }, 'callerId.name.value'],
    ['a user name with punctuation', { callerId: { name: { mode: 'user', value: 'Acme; DROP' } } }, 'callerId.name.value'],
    ['a user number mode without value', { callerId: { number: { mode: 'user' } } }, 'callerId.number.value'],
    ['a user number of 2 digits', { callerId: { number: { mode: 'user', value: '12' } } }, 'callerId.number.value'],
    ['a caller ID that is no number of the client', { callerId: { numbers: ['+442071838750'] } }, 'callerId.numbers.0'],
    ['a default that is no number of the client', { callerId: { defaultNumber: '+442071838750' } }, 'callerId.defaultNumber'],
    ['an unknown field', { callback: { returnCalls: 'caller', ringForever: true } }, 'callback.ringForever'],
    ['an operator object', { name: { $ne: 'x' } }, 'name'],
  ];
  for (const [what, patch, path] of invalid) {
    it(`when created with ${what}, then 400 names ${path}`, async () => {
      const { app } = createTestApp();
      const { clientId } = await createClientWithKey(app);
      const res = await apiAs(app)
        .post('/api/extensions', { clientId, ...minimal, ...patch })
        .expect(400);
      assert.ok(
        res.body.error.fields.some((f: { path: string }) => f.path === path),
        `expected ${path} in ${JSON.stringify(res.body.error.fields)}`,
      );
    });
  }

  it('when a password is set, then only passwordSet shows and the database holds a scrypt hash', async () => {
    const { app } = createTestApp();
    const { clientId } = await createClientWithKey(app);
    const res = await apiAs(app)
      .post('/api/extensions', { clientId, ...minimal, callback: { returnCalls: 'caller', password: '482915' } })
      .expect(201);
    assert.equal(res.body.callback.passwordSet, true);
    assert.ok(!JSON.stringify(res.body).includes('482915'));
    const raw = await testDb().db!.collection('extensions').findOne({});
    assert.match(raw!.callback.passwordHash, /^scrypt\$/);
    assert.ok(!JSON.stringify(raw).includes('482915'));
  });

  it('when patched, then nested settings merge, cross-field rules apply to the result, and null clears the password', async () => {
    const { app } = createTestApp();
    const { clientId } = await createClientWithKey(app);
    const admin = apiAs(app);
    const created = await admin.post('/api/extensions', { clientId, ...minimal, callback: { returnCalls: 'caller', password: '482915', dialWindowSeconds: 20 } }).expect(201);
    const id = created.body.id;
    const p1 = await admin.patch(`/api/extensions/${id}`, { callback: { allowCreditQuery: true, retry: { attempts: 4 } } }).expect(200);
    assert.equal(p1.body.callback.allowCreditQuery, true);
    assert.equal(p1.body.callback.dialWindowSeconds, 20);
    assert.deepEqual(p1.body.callback.retry, { attempts: 4, delaySeconds: 30, ringTimeoutSeconds: 30, detectMachine: true });
    assert.equal(p1.body.callback.passwordSet, true);
    const bad = await admin.patch(`/api/extensions/${id}`, { callback: { returnCalls: 'fixed' } }).expect(400);
    assert.equal(bad.body.error.fields[0].path, 'callback.fixedNumber');
    await admin.patch(`/api/extensions/${id}`, { callback: { returnCalls: 'fixed', fixedNumber: '+44 20 7183 8750' } }).expect(200);
    const p3 = await admin.patch(`/api/extensions/${id}`, { callback: { password: null } }).expect(200);
    assert.equal(p3.body.callback.passwordSet, false);
    assert.equal(p3.body.callback.fixedNumber, '+442071838750');
  });

  it('when two extensions of one client share an extension number, then 409; another client may use it', async () => {
    const { app } = createTestApp();
    const a = await createClientWithKey(app);
    const b = await createClientWithKey(app);
    await a.api.post('/api/extensions', minimal).expect(201);
    const dup = await a.api.post('/api/extensions', minimal).expect(409);
    assert.equal(dup.body.error.code, 'duplicate');
    await b.api.post('/api/extensions', minimal).expect(201);
    const second = await a.api.post('/api/extensions', { ...minimal, extensionNumber: '0003*004' }).expect(201);
    const renumbered = await a.api.patch(`/api/extensions/${second.body.id}`, { extensionNumber: '0003*003' }).expect(409);
    assert.equal(renumbered.body.error.code, 'duplicate');
  });

  it('when a client key works with extensions, then it sees only its own and cannot create for another client', async () => {
    const { app } = createTestApp();
    const a = await createClientWithKey(app);
    const b = await createClientWithKey(app);
    const extA = await a.api.post('/api/extensions', minimal).expect(201);
    assert.equal(extA.body.clientId, a.clientId);
    await b.api.get(`/api/extensions/${extA.body.id}`).expect(404);
    await b.api.patch(`/api/extensions/${extA.body.id}`, { name: 'mine' }).expect(404);
    await b.api.delete(`/api/extensions/${extA.body.id}`).expect(404);
    await b.api.get(`/api/extensions/${extA.body.id}/caller-ids`).expect(404);
    await b.api.put(`/api/extensions/${extA.body.id}/caller-ids`, { numbers: [], defaultNumber: null }).expect(404);
    await b.api.post('/api/extensions', { ...minimal, clientId: a.clientId }).expect(404);
    const list = await b.api.get('/api/extensions').expect(200);
    assert.equal(list.body.items.length, 0);
    const all = await apiAs(app).get('/api/extensions').expect(200);
    assert.equal(all.body.items.length, 1);
  });

  it("when the caller ID table is read, then it lists the client's numbers with the seed's Default values", async () => {
    const { app } = createTestApp();
    const { clientId, api } = await createClientWithKey(app);
    const other = await createClientWithKey(app);
    await addNumber(clientId, '+442071838750', 'Resource #1');
    await addNumber(clientId, '+442071838751', 'Resource #1');
    await addNumber(clientId, '+12025550143', 'Resource #2');
    await addNumber(other.clientId, '+12025550199', 'Resource #2');
    const ext = await api.post('/api/extensions', minimal).expect(201);
    await phoneNumberModel(testDb()).updateOne({ number: '+442071838751' }, { $set: { extensionId: ext.body.id } });

    const put = await api.put(`/api/extensions/${ext.body.id}/caller-ids`, { numbers: ['+442071838750', '+442071838751'], defaultNumber: '+12025550143' }).expect(200);
    assert.deepEqual(put.body.callerId.numbers, ['+442071838750', '+442071838751']);

    const table = await api.get(`/api/extensions/${ext.body.id}/caller-ids`).expect(200);
    const byNumber = Object.fromEntries(table.body.items.map((r: { number: string }) => [r.number, r]));
    assert.deepEqual(Object.keys(byNumber).sort(), ['+12025550143', '+442071838750', '+442071838751']);
    assert.equal(byNumber['+442071838750'].default, 'set-as-default');
    assert.equal(byNumber['+442071838750'].ringsBackTo, null);
    assert.equal(byNumber['+442071838750'].channel.name, 'Resource #1');
    assert.deepEqual(byNumber['+442071838751'].ringsBackTo, { id: ext.body.id, extensionNumber: '0003*003' });
    assert.equal(byNumber['+12025550143'].default, 'yes');
    assert.equal(byNumber['+12025550143'].assigned, false);

    const refused = await api.put(`/api/extensions/${ext.body.id}/caller-ids`, { numbers: ['+12025550199'], defaultNumber: null }).expect(400);
    assert.equal(refused.body.error.fields[0].path, 'callerId.numbers.0');
  });

  it('when hide is set and the client can be routed over Twilio, then the API warns that such calls are refused', async () => {
    const { app } = createTestApp();
    const { clientId, api } = await createClientWithKey(app);
    await addNumber(clientId, '+442071838750', 'PSTN', 'twilio');
    const res = await api.post('/api/extensions', { ...minimal, callerId: { hide: true } }).expect(201);
    assert.ok(
      res.body.warnings.some((w: string) => /cannot hide/.test(w)),
      JSON.stringify(res.body.warnings),
    );
  });

  it('when a custom caller ID number is not a Twilio number of the client, then the API warns', async () => {
    const { app } = createTestApp();
    const { clientId } = await createClientWithKey(app);
    await addNumber(clientId, '+442071838750', 'PSTN', 'twilio');
    // Only the operator key may set a number the client does not own (issue 11).
    const res = await apiAs(app)
      .post('/api/extensions', { ...minimal, clientId, callerId: { number: { mode: 'user', value: '5551234' } } })
      .expect(201);
    assert.ok(
      res.body.warnings.some((w: string) => /13214/.test(w)),
      JSON.stringify(res.body.warnings),
    );
  });

  it('when an extension is deleted, then its numbers stop ringing back to it', async () => {
    const { app } = createTestApp();
    const { clientId, api } = await createClientWithKey(app);
    await addNumber(clientId, '+442071838750');
    const ext = await api.post('/api/extensions', minimal).expect(201);
    await phoneNumberModel(testDb()).updateOne({ number: '+442071838750' }, { $set: { extensionId: ext.body.id } });
    await api.delete(`/api/extensions/${ext.body.id}`).expect(204);
    await api.get(`/api/extensions/${ext.body.id}`).expect(404);
    assert.equal(await extensionModel(testDb()).countDocuments({}), 0);
    const n = await phoneNumberModel(testDb()).findOne({ number: '+442071838750' }).lean();
    assert.equal(n!.extensionId, null);
  });
});
