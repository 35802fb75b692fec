import assert from 'node:assert/strict';
import { apiRouteTable } from '../../../routes/api';
import { apiAs, createClientWithKey } from '../../support/api';
import { createTestApp, TEST_PUBLIC_BASE_URL } from '../../support/harness';

/**
 * Generated from the route table, not hand-listed: every route a client key can reach is called with
 * client B's key on client A's objects and must answer 404 (or, for lists, show none of A's objects).
 * A new route without a sample body below fails this test until someone decides what to send.
 */
const SAMPLE_BODIES: Record<string, (ids: Ids) => object> = {
  'post /clients': (ids) => ({ name: 'intruder', rateTableId: ids.rateTableId }),
  'patch /clients/:id': () => ({ name: 'taken over' }),
  'patch /settings/fraud': () => ({ denyPrefixes: [], maxCallbacksPerTargetPerHour: 1000 }),
  'patch /settings/webhook': () => ({ webhook: { url: 'https://attacker.example.com/hook', events: ['call.completed'] } }),
  'post /settings/webhook/secret': () => ({}),
  'post /clients/:id/webhook/secret': () => ({}),
  'post /clients/:id/credit': () => ({ amount: '100.00' }),
  'post /clients/:id/api-keys': () => ({ name: 'stolen' }),
  'post /api-keys': () => ({ role: 'operator', name: 'escalated' }),
  'post /rate-tables': () => ({ name: 'x', currency: 'USD', rates: [] }),
  'patch /rate-tables/:id': () => ({ name: 'y' }),
  'post /channels': () => ({ name: 'x', type: 'twilio', prefixes: [] }),
  'patch /channels/:id': () => ({ name: 'y' }),
  'post /channels/:id/numbers': (ids) => ({ number: '+442071838799', clientId: ids.clientId }),
  'patch /numbers/:id': () => ({ extensionId: null }),
  'post /extensions': (ids) => ({ clientId: ids.clientId, extensionNumber: '77', name: 'x', callback: { returnCalls: 'caller' } }),
  'patch /extensions/:id': () => ({ name: 'taken over' }),
  'put /extensions/:id/caller-ids': () => ({ numbers: [], defaultNumber: null }),
  'post /extensions/:id/authorized-callers': () => ({ number: '+12025550100' }),
  'patch /extensions/:id/authorized-callers/:callerId': () => ({ name: 'x' }),
  'post /extensions/:id/authorized-callers/:callerId/credit': () => ({ amount: '1.00' }),
  'post /sounds': (ids) => ({ name: 'x', url: 'https://sounds.example.com/a.mp3', clientId: ids.clientId }),
  'patch /sounds/:id': () => ({ name: 'y' }),
  'post /callbacks': (ids) => ({ extensionId: ids.extensionId, number: '+12025550143' }),
};

interface Ids {
  clientId: string;
  rateTableId: string;
  channelId: string;
  numberId: string;
  extensionId: string;
  callerId: string;
  soundId: string;
  apiKeyId: string;
  callbackId: string;
}

function fillPath(path: string, ids: Ids): string {
  const first = path.split('/')[1];
  const idFor: Record<string, string> = {
    clients: ids.clientId,
    'rate-tables': ids.rateTableId,
    channels: ids.channelId,
    numbers: ids.numberId,
    extensions: ids.extensionId,
    sounds: ids.soundId,
    'api-keys': ids.apiKeyId,
    callbacks: ids.callbackId,
  };
  return `/api${path.replace(':id', idFor[first!] ?? 'unknown').replace(':callerId', ids.callerId)}`;
}

describe('config API: tenant isolation on every route (generated from the route table)', () => {
  it("when client B's key is used on client A's objects, then every route answers 404 or shows none of them", async function () {
    this.timeout(180_000);
    const { app, clock } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    const b = await createClientWithKey(app);
    const channel = await admin.post('/api/channels', { name: 'Resource #1', type: 'twilio', prefixes: [] }).expect(201);
    const ext = await a.api.post('/api/extensions', { extensionNumber: '0003*003', name: 'A desk', callback: { returnCalls: 'authorized' } }).expect(201);
    const number = await admin.post(`/api/channels/${channel.body.id}/numbers`, { number: '+442071838750', clientId: a.clientId, extensionId: ext.body.id }).expect(201);
    const caller = await a.api.post(`/api/extensions/${ext.body.id}/authorized-callers`, { number: '+12025550143', credit: '5.00' }).expect(201);
    const sound = await a.api.post('/api/sounds', { name: 'A sound', url: 'https://sounds.example.com/a.mp3' }).expect(201);
    const keys = await admin.get(`/api/clients/${a.clientId}/api-keys`).expect(200);
    const at = new Date(clock.now().getTime() + 3600_000).toISOString();
    const callback = await a.api.post('/api/callbacks', { extensionId: ext.body.id, number: '+12025550143', at }).expect(202);
    const ids: Ids = {
      clientId: a.clientId,
      rateTableId: a.rateTableId,
      channelId: channel.body.id,
      numberId: number.body.id,
      extensionId: ext.body.id,
      callerId: caller.body.id,
      soundId: sound.body.id,
      apiKeyId: keys.body.items[0].id,
      callbackId: callback.body.id,
    };
    const aIds = [ids.clientId, ids.numberId, ids.extensionId, ids.callerId, ids.soundId, ids.apiKeyId, ids.callbackId];

    const routes = apiRouteTable(TEST_PUBLIC_BASE_URL).filter((r) => !r.public);
    assert.ok(routes.length >= 40, `only ${routes.length} routes`);
    const checked: string[] = [];
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const url = fillPath(route.path, ids);
      let req = b.api[route.method === 'delete' ? 'delete' : route.method](url);
      if (['post', 'put', 'patch'].includes(route.method)) {
        const sample = SAMPLE_BODIES[key];
        assert.ok(sample, `no sample body for ${key}: add one so tenant isolation covers it`);
        req = b.api[route.method as 'post'](url, sample(ids));
      }
      const res = await req;
      // A read may answer 200 only with none of A's objects in it (a client's own, empty view of a
      // channel's numbers); every write must be 404.
      if (route.method === 'get' && res.status === 200) {
        for (const id of aIds) assert.ok(!res.text.includes(id), `${key} leaks ${id}`);
        assert.ok(!res.text.includes('+442071838750') && !res.text.includes('+12025550143'), `${key} leaks a number`);
      } else {
        assert.equal(res.status, 404, `${key} answered ${res.status}: ${res.text}`);
      }
      checked.push(key);
    }

    // Nothing of A's changed, and A still sees all of it.
    const extAfter = await a.api.get(`/api/extensions/${ids.extensionId}`).expect(200);
    assert.equal(extAfter.body.name, 'A desk');
    await a.api.get(`/api/extensions/${ids.extensionId}/authorized-callers/${ids.callerId}`).expect(200);
    await a.api.get(`/api/sounds/${ids.soundId}`).expect(200);
    await a.api.get(`/api/numbers/${ids.numberId}`).expect(200);
    const clientAfter = await a.api.get(`/api/clients/${ids.clientId}`).expect(200);
    assert.equal(clientAfter.body.balance, '10.00');
    const callbackAfter = await a.api.get(`/api/calls/${ids.callbackId}`).expect(200);
    assert.equal(callbackAfter.body.status, 'scheduled');
    assert.equal(checked.length, routes.length);
  });
});
