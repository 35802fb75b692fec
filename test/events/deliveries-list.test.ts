import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { jobModel } from '../../models/job';
import { queuedEvent } from '../../src/domain/events/call-events';
import { crossesThreshold, emitCallEvent } from '../../src/domain/events/emit';
import { apiAs, createClientWithKey } from '../support/api';
import { testDb } from '../support/database';
import { createTestApp } from '../support/harness';

const hook = (url: string) => ({ webhook: { url, events: ['callback.queued'] } });

describe('events: the deliveries list', () => {
  it('when two clients and the operator subscribe, then a client key lists only the deliveries to its own webhook and the operator lists all, filtered', async () => {
    const { app, deps } = createTestApp();
    const admin = apiAs(app);
    const a = await createClientWithKey(app);
    const b = await createClientWithKey(app);
    await admin.patch(`/api/clients/${a.clientId}`, hook('https://a.example.com/hook')).expect(200);
    await admin.patch(`/api/clients/${b.clientId}`, hook('https://b.example.com/hook')).expect(200);
    await admin.patch('/api/settings/webhook', hook('https://operator.example.com/hook')).expect(200);
    const sessions = { a: new Types.ObjectId(), b: new Types.ObjectId() };
    try {
      const at = deps.clock.now();
      for (const [who, clientId] of [
        ['a', a.clientId],
        ['b', b.clientId],
      ] as const) {
        const s = { _id: sessions[who], clientId: new Types.ObjectId(clientId), extensionId: new Types.ObjectId(), target: '+12025550143' };
        // Emitted twice (a retried webhook, a minute later): stored once per subscriber.
        await emitCallEvent(testDb(), queuedEvent(s, at));
        await emitCallEvent(testDb(), queuedEvent(s, new Date(at.getTime() + 60_000)));
      }
      const own = await a.api.get('/api/webhook-deliveries').expect(200);
      assert.equal(own.body.items.length, 1);
      assert.deepEqual([own.body.items[0].clientId, own.body.items[0].subscriber, own.body.items[0].callId], [a.clientId, 'client', String(sessions.a)]);
      assert.equal(own.body.items[0].state, 'pending');
      assert.equal(own.body.items[0].eventId, `evt_${sessions.a}_callback.queued_0`);
      assert.equal(own.body.items[0].createdAt, at.toISOString(), 'the first emission is the one kept');
      assert.equal(await jobModel(testDb()).countDocuments({ type: 'deliver-event', sessionId: sessions.a }), 2, 'one job per subscriber');
      // Asking for another client's, or for the operator's deliveries, shows nothing.
      assert.equal((await a.api.get(`/api/webhook-deliveries?clientId=${b.clientId}`).expect(200)).body.items.length, 0);
      assert.equal((await a.api.get('/api/webhook-deliveries?subscriber=operator').expect(200)).body.items.length, 0);

      const ofA = await admin.get(`/api/webhook-deliveries?clientId=${a.clientId}`).expect(200);
      assert.deepEqual(ofA.body.items.map((d: { subscriber: string }) => d.subscriber).sort(), ['client', 'operator']);
      const operatorOnes = await admin.get(`/api/webhook-deliveries?subscriber=operator&callId=${sessions.b}`).expect(200);
      assert.equal(operatorOnes.body.items.length, 1);
      assert.equal(operatorOnes.body.items[0].clientId, b.clientId);
      // Pages of one, newest first, each id once.
      const p1 = await admin.get(`/api/webhook-deliveries?clientId=${a.clientId}&limit=1`).expect(200);
      assert.ok(p1.body.nextCursor);
      const p2 = await admin.get(`/api/webhook-deliveries?clientId=${a.clientId}&limit=1&cursor=${p1.body.nextCursor}`).expect(200);
      assert.notEqual(p1.body.items[0].id, p2.body.items[0].id);
      assert.equal(p2.body.nextCursor, null);
      await admin.get('/api/webhook-deliveries?state=exploded').expect(400);
    } finally {
      await admin.patch('/api/settings/webhook', { webhook: null }).expect(200);
      // Their jobs would go to the example hosts: not another test's business.
      await jobModel(testDb()).deleteMany({ type: 'deliver-event', sessionId: { $in: Object.values(sessions) } });
    }
  });

  it('when a charge is applied, then credit.low counts as crossed only from at or above the threshold to below it', () => {
    assert.equal(crossesThreshold({ charge: 400, balanceAfter: 99_600 }, 99_950), true);
    assert.equal(crossesThreshold({ charge: 400, balanceAfter: 99_600 }, 100_000), true);
    assert.equal(crossesThreshold({ charge: 400, balanceAfter: 99_600 }, 100_001), false, 'already below before the charge');
    assert.equal(crossesThreshold({ charge: 400, balanceAfter: 99_600 }, 99_600), false, 'not below after it');
    assert.equal(crossesThreshold({ charge: 0, balanceAfter: 99_600 }, 99_700), false, 'a free call');
  });
});
