import assert from 'node:assert/strict';
import { clientModel } from '../../models/client';
import { OPERATOR_WEBHOOK_ID, operatorWebhookModel } from '../../models/webhook-settings';
import { apiAs, createClientWithKey } from '../support/api';
import { testDb } from '../support/database';
import { createTestApp } from '../support/harness';

const HOOK = { url: 'https://hooks.example.com/events', events: ['callback.queued', 'call.completed'] };

describe('events: webhook settings of a client and of the operator', () => {
  it("when a client key sets its own webhook, then it may, but nothing else of its client, and never another client's", async () => {
    const { app } = createTestApp();
    const a = await createClientWithKey(app);
    const b = await createClientWithKey(app);
    const set = await a.api.patch(`/api/clients/${a.clientId}`, { webhook: HOOK }).expect(200);
    assert.match(set.body.webhook.secret, /^whsec_/);
    const widened = await a.api.patch(`/api/clients/${a.clientId}`, { webhook: HOOK, unlimitedCredit: true, maxConcurrentCalls: 500 }).expect(400);
    assert.deepEqual(
      widened.body.error.fields.map((f: { path: string }) => f.path),
      ['unlimitedCredit', 'maxConcurrentCalls'],
    );
    assert.equal((await clientModel(testDb()).findById(a.clientId).lean())!.unlimitedCredit, false);
    await b.api.patch(`/api/clients/${a.clientId}`, { webhook: { ...HOOK, url: 'https://attacker.example.com/x' } }).expect(404);
    const after = await a.api.get(`/api/clients/${a.clientId}`).expect(200);
    assert.equal(after.body.webhook.url, HOOK.url);
  });

  it('when a client webhook is first set, then its secret is shown once, sealed at rest, kept by later changes and replaced on request', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const c = await createClientWithKey(app);
    const first = await admin.patch(`/api/clients/${c.clientId}`, { webhook: HOOK }).expect(200);
    const secret = first.body.webhook.secret as string;
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual({ ...first.body.webhook, secret: undefined }, { ...HOOK, lowCreditThreshold: null, secret: undefined });

    const read = await admin.get(`/api/clients/${c.clientId}`).expect(200);
    assert.equal(read.body.webhook.secret, undefined);
    assert.equal((await c.api.get(`/api/clients/${c.clientId}`).expect(200)).body.webhook.secret, undefined);
    const again = await admin.patch(`/api/clients/${c.clientId}`, { webhook: { ...HOOK, events: ['credit.low'], lowCreditThreshold: '5.00' } }).expect(200);
    assert.equal(again.body.webhook.secret, undefined);
    assert.equal(again.body.webhook.lowCreditThreshold, '5.00');

    const stored = await clientModel(testDb()).findById(c.clientId).lean();
    assert.ok(!JSON.stringify(stored).includes(secret), 'the secret is stored in clear');
    assert.equal(stored!.webhook!.lowCreditThreshold, 50_000);

    // The client's own key may replace it; the new one is shown once and differs.
    const rotated = await c.api.post(`/api/clients/${c.clientId}/webhook/secret`).expect(200);
    assert.match(rotated.body.secret, /^whsec_/);
    assert.notEqual(rotated.body.secret, secret);
    assert.notEqual((await clientModel(testDb()).findById(c.clientId).lean())!.webhook!.secretSealed, stored!.webhook!.secretSealed);

    // Removed, then set again: a new secret.
    const removed = await admin.patch(`/api/clients/${c.clientId}`, { webhook: null }).expect(200);
    assert.equal(removed.body.webhook, null);
    const conflict = await admin.post(`/api/clients/${c.clientId}/webhook/secret`).expect(409);
    assert.equal(conflict.body.error.code, 'no_webhook');
    const reset = await admin.patch(`/api/clients/${c.clientId}`, { webhook: HOOK }).expect(200);
    assert.match(reset.body.webhook.secret, /^whsec_/);
  });

  it('when the operator sets the service-wide webhook, then it answers like a client one and only the operator reaches it', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    await admin.patch('/api/settings/webhook', { webhook: null }).expect(200);
    assert.deepEqual((await admin.get('/api/settings/webhook').expect(200)).body, { webhook: null });
    const set = await admin.patch('/api/settings/webhook', { webhook: HOOK }).expect(200);
    const secret = set.body.webhook.secret as string;
    assert.match(secret, /^whsec_/);
    assert.equal((await admin.get('/api/settings/webhook').expect(200)).body.webhook.secret, undefined);
    const doc = await operatorWebhookModel(testDb()).findById(OPERATOR_WEBHOOK_ID).lean();
    assert.ok(!JSON.stringify(doc).includes(secret));
    const rotated = await admin.post('/api/settings/webhook/secret').expect(200);
    assert.notEqual(rotated.body.secret, secret);
    const c = await createClientWithKey(app);
    await c.api.get('/api/settings/webhook').expect(404);
    await c.api.patch('/api/settings/webhook', { webhook: HOOK }).expect(404);
    await c.api.post('/api/settings/webhook/secret').expect(404);
    await admin.patch('/api/settings/webhook', { webhook: null }).expect(200);
  });

  it('when a webhook setting is bad, then a 400 names the field', async () => {
    const { app } = createTestApp();
    const admin = apiAs(app);
    const c = await createClientWithKey(app);
    const cases: [object, string][] = [
      [{ ...HOOK, url: 'http://hooks.example.com/x' }, 'webhook.url'],
      [{ ...HOOK, url: 'https://10.0.0.5/x' }, 'webhook.url'],
      [{ ...HOOK, url: 'https://[::1]/x' }, 'webhook.url'],
      [{ ...HOOK, url: 'https://169.254.169.254/latest/meta-data' }, 'webhook.url'],
      [{ ...HOOK, url: 'not a url' }, 'webhook.url'],
      [{ ...HOOK, events: ['callback.exploded'] }, 'webhook.events.0'],
      [{ ...HOOK, events: [] }, 'webhook.events'],
      [{ ...HOOK, events: ['credit.low'] }, 'webhook.lowCreditThreshold'],
      [{ ...HOOK, events: ['credit.low'], lowCreditThreshold: '1.23456' }, 'webhook.lowCreditThreshold'],
      [{ ...HOOK, secret: 'mine' }, 'webhook.secret'],
    ];
    for (const [webhook, path] of cases) {
      const res = await admin.patch(`/api/clients/${c.clientId}`, { webhook }).expect(400);
      assert.ok(
        res.body.error.fields.some((f: { path: string }) => f.path === path),
        `${JSON.stringify(webhook)}: ${JSON.stringify(res.body.error.fields)}`,
      );
      const op = await admin.patch('/api/settings/webhook', { webhook }).expect(400);
      assert.ok(op.body.error.fields.some((f: { path: string }) => f.path === path));
    }
    assert.equal((await clientModel(testDb()).findById(c.clientId).lean())!.webhook ?? null, null);
  });

  it('when private networks are allowed, then an http: URL to loopback may be set', async () => {
    const { app } = createTestApp({ env: { EVENTS_ALLOW_PRIVATE_NETWORKS: 'true' } });
    const c = await createClientWithKey(app);
    const res = await apiAs(app)
      .patch(`/api/clients/${c.clientId}`, { webhook: { ...HOOK, url: 'http://127.0.0.1:9/hook' } })
      .expect(200);
    assert.equal(res.body.webhook.url, 'http://127.0.0.1:9/hook');
  });
});
