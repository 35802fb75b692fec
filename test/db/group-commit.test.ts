import assert from 'node:assert/strict';
import mongoose, { Types } from 'mongoose';
import { callbackLockModel } from '../../models/callback-lock';
import { callSessionModel } from '../../models/call-session';
import { insertBatched } from '../../src/db/batched-insert';
import { isDuplicateKey } from '../../src/db/duplicate-key';
import { GroupBatcher } from '../../src/db/group-batcher';
import { testDbUri } from '../support/database';

describe('group commit: concurrent webhooks share database commands', () => {
  it('when items arrive in one turn of the event loop, then they go in one batch, in order', async () => {
    const batches: number[][] = [];
    const b = new GroupBatcher<number, number>(async (items) => {
      batches.push(items);
      return items.map((i) => i * 10);
    });
    assert.deepEqual(await Promise.all([1, 2, 3].map((i) => b.submit(i))), [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  it('when items arrive while a batch is in flight, then they wait and go together in the next one', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new GroupBatcher<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items;
    });
    const first = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((i) => b.submit(i));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(batches, [[1]], 'nothing else is sent while the first batch is in flight');
    release();
    assert.deepEqual(await Promise.all([first, ...later]), [1, 2, 3, 4]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it('when one item fails, then only it is rejected; when the batch throws, then all are; the batcher goes on', async () => {
    let explode = false;
    const b = new GroupBatcher<number, number>(async (items) => {
      if (explode) throw new Error('connection lost');
      return items.map((i) => (i === 2 ? new Error('bad 2') : i));
    });
    const r = await Promise.allSettled([1, 2, 3].map((i) => b.submit(i)));
    assert.deepEqual(
      r.map((x) => x.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    explode = true;
    const all = await Promise.allSettled([4, 5].map((i) => b.submit(i)));
    assert.ok(all.every((x) => x.status === 'rejected' && /connection lost/.test(String(x.reason))));
    explode = false;
    assert.equal(await b.submit(6), 6);
  });

  it('when more than maxBatch items wait, then they are split into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const b = new GroupBatcher<number, number>(async (items) => {
      sizes.push(items.length);
      return items;
    }, 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(i)));
    assert.deepEqual(sizes, [4, 4, 2]);
  });

  it('when a batch hangs (a database that stopped answering), then later items go on without it after the stall time, and its own items fail after the give-up time', async () => {
    const batches: number[][] = [];
    const b = new GroupBatcher<number, number>(
      async (items) => {
        batches.push(items);
        if (items.includes(1)) await new Promise(() => {}); // never answers
        return items;
      },
      500,
      50,
      300,
    );
    const stuck = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const started = Date.now();
    assert.deepEqual(await Promise.all([b.submit(2), b.submit(3)]), [2, 3]);
    assert.ok(Date.now() - started >= 40, 'the next batch waited for the stall time');
    assert.deepEqual(batches, [[1], [2, 3]]);
    assert.equal(await Promise.race([stuck.then(() => 'answered'), new Promise((r) => setTimeout(() => r('still waiting'), 20))]), 'still waiting');
    await assert.rejects(stuck, /no answer from the database within 300 ms/);
  });

  describe('batched inserts on the real database', () => {
    let db: mongoose.Connection;
    const commands: string[] = [];
    before(async () => {
      const { uri, dbName } = testDbUri();
      // A connection of its own, so the command count is this test's only.
      db = await mongoose.createConnection(uri, { dbName, monitorCommands: true }).asPromise();
      db.getClient().on('commandStarted', (e) => commands.push(`${e.commandName} ${String((e.command as Record<string, unknown>)[e.commandName])}`));
    });
    after(async () => {
      await db.close();
    });

    it('when 20 webhooks insert at once, then one insert command stores them, a duplicate fails alone with a duplicate-key error, and an invalid one with its validation error', async () => {
      const sessionId = new Types.ObjectId();
      await callbackLockModel(db).create({ _id: 'ext:+15550000000', sessionId, createdAt: new Date() });
      commands.length = 0;
      const ids = Array.from({ length: 18 }, (_, i) => `ext:+1555000${String(i + 1).padStart(4, '0')}`);
      const outcomes = await Promise.allSettled([
        ...ids.map((id) => insertBatched(db, callbackLockModel(db), { _id: id, sessionId, createdAt: new Date() })),
        insertBatched(db, callbackLockModel(db), { _id: 'ext:+15550000000', sessionId, createdAt: new Date() }),
        insertBatched(db, callbackLockModel(db), { _id: 'ext:+15559999999', createdAt: new Date() }), // no sessionId
      ]);
      assert.deepEqual(
        commands.filter((c) => c.startsWith('insert')),
        ['insert callback_locks'],
      );
      assert.ok(outcomes.slice(0, 18).every((o) => o.status === 'fulfilled'));
      const dup = outcomes[18]!;
      assert.ok(dup.status === 'rejected' && isDuplicateKey(dup.reason), String((dup as PromiseRejectedResult).reason));
      const invalid = outcomes[19]!;
      assert.ok(invalid.status === 'rejected' && /sessionId/.test(String(invalid.reason)));
      assert.equal(await callbackLockModel(db).countDocuments({ _id: { $in: ids } }), 18);
      assert.equal(await callbackLockModel(db).countDocuments({ _id: 'ext:+15559999999' }), 0);
    });

    it('when a document is inserted in a batch, then it gets the same defaults and timestamps as create()', async () => {
      const id = new Types.ObjectId();
      await insertBatched(db, callSessionModel(db), {
        _id: id,
        inboundCallSid: `CA${'1'.repeat(32)}`,
        clientId: new Types.ObjectId(),
        extensionId: new Types.ObjectId(),
        calledNumber: '+442071838750',
        callerNumber: '+12025550143',
        target: '+12025550143',
        reason: 'callback',
        status: 'queued',
        ringEndsAt: new Date(),
      });
      const stored = await callSessionModel(db).findById(id).lean();
      assert.ok(stored?.createdAt instanceof Date && stored.updatedAt instanceof Date);
      assert.equal(stored.callback.attempts, 0);
      assert.deepEqual(stored.timeline, []);
    });
  });
});
