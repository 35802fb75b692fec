import assert from 'node:assert/strict';
import supertest from 'supertest';
import { apiKeyModel } from '../../models/api-key';
import { ConfigError, loadConfig } from '../../src/config';
import { ensureBootstrapAdminKey } from '../../src/domain/api-keys';
import { apiAs, createClientWithKey } from '../support/api';
import { testDb } from '../support/database';
import { createTestApp } from '../support/harness';

/** Issue 15, item 8: operator keys can be created, listed and revoked; ADMIN_API_KEY is checked at boot. */

describe('hardening: operator keys (issue 15, item 8)', () => {
  it('when the operator creates an operator key, then it is shown once, works, is listed without its secret, and once revoked gets 401', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const created = await admin.post('/api/api-keys', { role: 'operator', name: 'rotation 2026' }).expect(201);
    assert.equal(created.body.role, 'operator');
    assert.equal(created.body.clientId, null);
    const key = created.body.key as string;
    const asNew = apiAs(app, key);
    await asNew.get('/api/clients').expect(200);
    await asNew.post('/api/rate-tables', { name: 'by the new key', currency: 'USD', rates: [] }).expect(201);

    const client = await createClientWithKey(app, {});
    const list = await admin.get('/api/api-keys').expect(200);
    const roles = list.body.items.map((k: { role: string }) => k.role).sort();
    assert.ok(roles.includes('operator') && roles.includes('client'), JSON.stringify(list.body.items));
    assert.ok(!JSON.stringify(list.body).includes(key), 'the list shows a key');
    assert.ok(!JSON.stringify(list.body).includes(client.key), 'the list shows a client key');
    for (const k of list.body.items) assert.deepEqual(Object.keys(k).sort(), ['clientId', 'createdAt', 'id', 'name', 'prefix', 'role']);

    await admin.delete(`/api/api-keys/${created.body.id}`).expect(204);
    await supertest(app).get('/api/clients').set('Authorization', `Bearer ${key}`).expect(401);
    await admin.get('/api/clients').expect(200);
  });

  it('when the key generated on first start is revoked with another operator key, then it gets 401', async () => {
    const { app } = createTestApp();
    const generated = (await ensureBootstrapAdminKey(testDb(), new Date()))!;
    const asGenerated = apiAs(app, generated);
    const next = (await asGenerated.post('/api/api-keys', { role: 'operator', name: 'next' }).expect(201)).body.key as string;
    const id = String((await apiKeyModel(testDb()).findOne({ name: 'generated on first start' }).lean())!._id);
    await apiAs(app, next).delete(`/api/api-keys/${id}`).expect(204);
    await supertest(app).get('/api/clients').set('Authorization', `Bearer ${generated}`).expect(401);
    await apiAs(app, next).get('/api/clients').expect(200);
  });

  it('when a client key asks to create, list or revoke keys, then it learns nothing (404), and a revoked client key gets 401', async () => {
    const { app } = createTestApp();
    const c = await createClientWithKey(app, {});
    const asClient = apiAs(app, c.key);
    await asClient.post('/api/api-keys', { role: 'operator', name: 'escalate' }).expect(404);
    await asClient.get('/api/api-keys').expect(404);
    const own = (await apiKeyModel(testDb()).findOne({ role: 'client' }).lean())!;
    await asClient.delete(`/api/api-keys/${String(own._id)}`).expect(404);
    await apiAs(app)
      .delete(`/api/api-keys/${String(own._id)}`)
      .expect(204);
    await supertest(app).get('/api/clients').set('Authorization', `Bearer ${c.key}`).expect(401);
  });

  it('when ADMIN_API_KEY has characters the bearer parser refuses, then boot stops naming ADMIN_API_KEY', () => {
    for (const bad of ['operator key with spaces 0123456789', 'operator-key-0123456789-ü-abcdef', 'operator,key;0123456789abcdefgh']) {
      assert.throws(
        () => loadConfig({ ADMIN_API_KEY: bad }),
        (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.variable === 'ADMIN_API_KEY' && /character/.test(p.message)),
        bad,
      );
    }
    assert.equal(loadConfig({ ADMIN_API_KEY: 'Op3rator_key-with.all~allowed+chars/=' }).adminApiKey, 'Op3rator_key-with.all~allowed+chars/=');
  });
});
