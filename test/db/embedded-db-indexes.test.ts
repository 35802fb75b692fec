import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { applyFerretDbPatches, FERRETDB_PATCHES } from '../../src/db/ferretdb-patches';
import { testDb } from '../support/database';

/** What the embedded FerretDB plans for a find: its SQLite EXPLAIN QUERY PLAN lines. */
async function plan(collection: string, filter: object): Promise<{ lines: string[]; pushdown: boolean }> {
  const r = (await testDb().db!.command({ explain: { find: collection, filter } })) as {
    queryPlanner?: { Plan?: string[] };
    filterPushdown?: boolean;
  };
  return { lines: r.queryPlanner?.Plan ?? [], pushdown: r.filterPushdown === true };
}

describe('embedded database: lookups by _id use the index (our FerretDB patches)', () => {
  beforeEach(function () {
    if (process.env.MONGODB_URI) this.skip(); // MongoDB plans differently and needs no patch
  });

  const coll = () => testDb().db!.collection('patch_probe');
  const seed = async () => {
    const docs = Array.from({ length: 200 }, (_, i) => ({ _id: new Types.ObjectId(), state: i % 2 ? 'queued' : 'done', n: i }));
    await coll().insertMany(docs);
    return docs;
  };

  it('when a find is by _id alone, then SQLite searches the _id index instead of scanning the table', async () => {
    const docs = await seed();
    const p = await plan('patch_probe', { _id: docs[7]!._id });
    assert.equal(p.pushdown, true);
    assert.ok(
      p.lines.some((l) => /SEARCH .* USING INDEX .*__id_/.test(l)),
      p.lines.join('\n'),
    );
  });

  it('when a find is by _id plus a condition (a conditional update), then it also searches the _id index', async () => {
    const docs = await seed();
    const p = await plan('patch_probe', { _id: docs[7]!._id, state: 'queued' });
    assert.equal(p.pushdown, true);
    assert.ok(
      p.lines.some((l) => /SEARCH .* USING INDEX .*__id_/.test(l)),
      p.lines.join('\n'),
    );
  });

  it('when a batch looks up several _ids with $in, then SQLite searches the _id index, and the results are those of a scan', async () => {
    const docs = await seed();
    const ids = [docs[3]!._id, docs[150]!._id, docs[77]!._id];
    const p = await plan('patch_probe', { _id: { $in: ids } });
    assert.ok(
      p.lines.some((l) => /SEARCH .* USING INDEX .*__id_/.test(l)),
      p.lines.join('\n'),
    );
    const found = await coll()
      .find({ _id: { $in: ids }, state: 'queued' })
      .toArray();
    assert.deepEqual(
      found.map((d) => d.n).sort((a, b) => a - b),
      [3, 77].filter((n) => n % 2 === 1),
    );
    // Mixed element types are not pushed down, and still match like a scan.
    await coll().insertOne({ _id: 42 as never, state: 'queued', n: 42 });
    const mixed = await coll()
      .find({ _id: { $in: [42, docs[3]!._id] as never[] } })
      .toArray();
    assert.deepEqual(
      mixed.map((d) => d.n).sort((a, b) => a - b),
      [3, 42],
    );
    assert.equal((await coll().deleteMany({ _id: { $in: ids } })).deletedCount, 3);
    assert.equal((await coll().updateMany({ _id: { $in: [docs[4]!._id, docs[5]!._id] } }, { $set: { state: 'x' } })).modifiedCount, 2);
  });

  it('when the condition beside _id does not match, then nothing is read, updated or deleted (same results as a scan)', async () => {
    const docs = await seed();
    const done = docs.find((d) => d.state === 'done')!;
    const queued = docs.find((d) => d.state === 'queued')!;
    assert.equal(await coll().findOne({ _id: done._id, state: 'queued' }), null);
    assert.equal((await coll().updateOne({ _id: done._id, state: 'queued' }, { $set: { n: -1 } })).modifiedCount, 0);
    assert.equal((await coll().deleteOne({ _id: done._id, state: 'queued' })).deletedCount, 0);
    assert.equal((await coll().findOne({ _id: done._id }))?.n, done.n);

    assert.equal((await coll().updateOne({ _id: queued._id, state: 'queued' }, { $set: { state: 'running' } })).modifiedCount, 1);
    const after = await coll().findOneAndUpdate({ _id: queued._id, state: 'running' }, { $inc: { n: 1000 } }, { returnDocument: 'after' });
    assert.equal(after?.n, queued.n + 1000);
    assert.equal((await coll().deleteOne({ _id: queued._id, state: 'running' })).deletedCount, 1);
    assert.equal(await coll().countDocuments({}), docs.length - 1);
  });

  it('when a patch no longer finds its text (a FerretDB upgrade), then the build stops naming it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patch-'));
    try {
      const p = FERRETDB_PATCHES[1]!;
      fs.mkdirSync(path.join(dir, path.dirname(p.file)), { recursive: true });
      fs.writeFileSync(path.join(dir, p.file), `${p.find}\n`); // once, where the patch expects it twice
      assert.throws(() => applyFerretDbPatches(dir, [p]), /collection\.go expected 2 occurrence\(s\).*found 1/);
      fs.writeFileSync(path.join(dir, p.file), `${p.find}\n${p.find}\n`);
      applyFerretDbPatches(dir, [p]);
      assert.equal(fs.readFileSync(path.join(dir, p.file), 'utf8'), `${p.replace}\n${p.replace}\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
