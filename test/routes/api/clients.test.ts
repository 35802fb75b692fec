import assert from 'node:assert/strict';
import supertest from 'supertest';
import { clientModel } from '../../../models/client';
import { creditEntryModel } from '../../../models/credit-entry';
import { apiAs, createClientWithKey, createRateTable } from '../../support/api';
import { testDb } from '../../support/database';
import { createTestApp } from '../../support/harness';

describe('config API: clients and their credit', () => {
  it('when the operator creates a client, then it is stored with integer money and shown as decimal strings', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const rt = await createRateTable(admin);
    const res = await admin.post('/api/clients', { name: 'Acme', currency: 'USD', credit: '10.00', rateTableId: rt.id, maxConcurrentCalls: 3, allowPrefixes: ['+44'] }).expect(201);
    assert.equal(res.body.balance, '10.00');
    assert.equal(res.body.maxConcurrentCalls, 3);
    assert.equal(res.body._id, undefined);
    const stored = await clientModel(testDb()).findById(res.body.id).lean();
    assert.equal(stored!.balance, 100_000);
    const entries = await creditEntryModel(testDb()).find({ clientId: stored!._id }).lean();
    assert.deepEqual(
      entries.map((e) => [e.kind, e.amount, e.balanceAfter, e.state]),
      [['initial', 100_000, 100_000, 'applied']],
    );
  });

  it('when a field is unknown, invalid or an operator object, then 400 names each field', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const rt = await createRateTable(admin);
    const res = await admin.post('/api/clients', { name: { $gt: '' }, credit: '10.00001', rateTableId: rt.id, colour: 'red', allowPrefixes: ['44'] }).expect(400);
    const paths = res.body.error.fields.map((f: { path: string }) => f.path).sort();
    assert.deepEqual(paths, ['allowPrefixes.0', 'colour', 'credit', 'name']);
    assert.equal(res.body.error.code, 'validation_failed');
  });

  it('when the rate table does not exist or prices in another currency, then 400 on rateTableId', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const eur = await createRateTable(admin, { currency: 'EUR' });
    for (const rateTableId of ['0123456789abcdef01234567', eur.id]) {
      const res = await admin.post('/api/clients', { name: 'X', rateTableId }).expect(400);
      assert.equal(res.body.error.fields[0].path, 'rateTableId');
    }
  });

  it('when two clients get the same name, then 409', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const rt = await createRateTable(admin);
    await admin.post('/api/clients', { name: 'Same', rateTableId: rt.id }).expect(201);
    const res = await admin.post('/api/clients', { name: 'Same', rateTableId: rt.id }).expect(409);
    assert.equal(res.body.error.code, 'duplicate');
    const other = await admin.post('/api/clients', { name: 'Other', rateTableId: rt.id }).expect(201);
    const renamed = await admin.patch(`/api/clients/${other.body.id}`, { name: 'Same' }).expect(409);
    assert.equal(renamed.body.error.code, 'duplicate');
  });

  it('when credit is added and removed, then the balance and newest-first history follow, never below zero', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const { clientId } = await createClientWithKey(app);
    await admin.post(`/api/clients/${clientId}/credit`, { amount: '5.00', note: 'top-up' }).expect(201);
    await admin.post(`/api/clients/${clientId}/credit`, { amount: '-2.50', note: 'correction' }).expect(201);
    const refused = await admin.post(`/api/clients/${clientId}/credit`, { amount: '-100.00' }).expect(409);
    assert.equal(refused.body.error.code, 'insufficient_credit');
    const credit = await admin.get(`/api/clients/${clientId}/credit`).expect(200);
    assert.equal(credit.body.balance, '12.50');
    assert.deepEqual(
      credit.body.entries.map((e: { amount: string; balanceAfter: string }) => [e.amount, e.balanceAfter]),
      [
        ['-2.50', '12.50'],
        ['5.00', '15.00'],
        ['10.00', '10.00'],
      ],
    );
  });

  it('when 40 recharges of one client run at once, then the balance is exact', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const { clientId } = await createClientWithKey(app);
    await Promise.all(Array.from({ length: 40 }, () => admin.post(`/api/clients/${clientId}/credit`, { amount: '0.0125' }).expect(201)));
    const res = await admin.get(`/api/clients/${clientId}`).expect(200);
    assert.equal(res.body.balance, '10.50');
  });

  it('when the credit history is long, then it is paginated with a cursor and a hard limit', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const { clientId } = await createClientWithKey(app);
    for (let i = 0; i < 4; i++) await admin.post(`/api/clients/${clientId}/credit`, { amount: '1.00' }).expect(201);
    const first = await admin.get(`/api/clients/${clientId}/credit?limit=3`).expect(200);
    assert.equal(first.body.entries.length, 3);
    const second = await admin.get(`/api/clients/${clientId}/credit?limit=3&cursor=${first.body.nextCursor}`).expect(200);
    assert.equal(second.body.entries.length, 2);
    assert.equal(second.body.nextCursor, null);
    await admin.get(`/api/clients/${clientId}/credit?limit=201`).expect(400);
    await admin.get(`/api/clients/${clientId}/credit?cursor[$gt]=`).expect(400);
  });

  it('when a client key reads its own client, then it may; another client or an operator route is 404, a field of its own only the operator sets is 400', async () => {
    const { app } = createTestApp();
    const a = await createClientWithKey(app);
    const b = await createClientWithKey(app);
    await a.api.get(`/api/clients/${a.clientId}`).expect(200);
    await a.api.get(`/api/clients/${a.clientId}/credit`).expect(200);
    await a.api.get(`/api/clients/${b.clientId}`).expect(404);
    await a.api.get(`/api/clients/${b.clientId}/credit`).expect(404);
    await a.api.get('/api/clients').expect(404);
    await a.api.post(`/api/clients/${a.clientId}/credit`, { amount: '100.00' }).expect(404);
    // Its own client: only its webhook is the key's to change (test/events/webhook-settings.test.ts).
    const renamed = await a.api.patch(`/api/clients/${a.clientId}`, { name: 'mine now' }).expect(400);
    assert.equal(renamed.body.error.fields[0].path, 'name');
    await a.api.patch(`/api/clients/${b.clientId}`, { name: 'theirs now' }).expect(404);
  });

  it('when no key or an unknown key is sent, then 401', async () => {
    const { app } = createTestApp();
    await supertest(app).get('/api/clients').expect(401);
    await apiAs(app, 'cbk_not-a-real-key-000000000000').get('/api/clients').expect(401);
  });

  it('when a client key is revoked, then it stops working', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    const keys = await admin.get(`/api/clients/${a.clientId}/api-keys`).expect(200);
    assert.equal(keys.body.items.length, 1);
    assert.equal(keys.body.items[0].key, undefined);
    await admin.delete(`/api/api-keys/${keys.body.items[0].id}`).expect(204);
    await a.api.get(`/api/clients/${a.clientId}`).expect(401);
  });

  it('when a client is updated and deleted, then the changes are stored and its keys go with it', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    const patched = await admin.patch(`/api/clients/${a.clientId}`, { unlimitedCredit: true, denyPrefixes: ['+1900'] }).expect(200);
    assert.equal(patched.body.unlimitedCredit, true);
    assert.deepEqual(patched.body.denyPrefixes, ['+1900']);
    await admin.patch(`/api/clients/${a.clientId}`, { balance: '99.00' }).expect(400);
    await admin.delete(`/api/clients/${a.clientId}`).expect(204);
    await admin.get(`/api/clients/${a.clientId}`).expect(404);
    await a.api.get(`/api/clients/${a.clientId}`).expect(401);
  });

  it('when a rate table is used by a client, then deleting it is 409', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    const res = await admin.delete(`/api/rate-tables/${a.rateTableId}`).expect(409);
    assert.equal(res.body.error.code, 'in_use');
  });
});
