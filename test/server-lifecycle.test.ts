import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDatabase } from '../src/db/connect';
import { startServiceProcess, waitUntilGone } from './support/service-process';

/** These start the real service as `npm start` does, on the embedded database. */
describe('service lifecycle on the embedded database', function () {
  this.timeout(360_000);
  let dataDir: string;

  beforeEach(function () {
    if (process.env.MONGODB_URI) this.skip(); // these are about the embedded database
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function startAndCheckReady() {
    const svc = startServiceProcess({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    const db = await svc.waitFor(/embedded database \(FerretDB\) started/);
    const listening = await svc.waitFor(/^listening$/);
    const res = await fetch(`http://127.0.0.1:${listening.port as number}/readyz`);
    assert.equal(res.status, 200);
    return { svc, dbPid: db.pid as number, dbUri: db.uri as string, port: listening.port as number };
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`when the service gets ${signal}, then it exits 0 and leaves no database process behind`, async () => {
      const { svc, dbPid } = await startAndCheckReady();
      svc.child.kill(signal);
      const { code } = await svc.exited;
      assert.equal(code, 0);
      assert.ok(await waitUntilGone(dbPid), `FerretDB pid ${dbPid} still running`);
    });
  }

  it('when the service is killed with SIGKILL, then the database process exits by itself', async () => {
    const { svc, dbPid } = await startAndCheckReady();
    svc.child.kill('SIGKILL');
    await svc.exited;
    assert.ok(await waitUntilGone(dbPid), `FerretDB pid ${dbPid} orphaned`);
  });

  it('when the service restarts on the same DATA_DIR, then data written before is still there', async () => {
    const first = await startAndCheckReady();
    const conn = await connectDatabase(first.dbUri);
    await conn.db!.collection('restart_probe').insertOne({ marker: 'kept', n: 42 });
    await conn.close();
    first.svc.child.kill('SIGTERM');
    await first.svc.exited;

    const second = await startAndCheckReady();
    const conn2 = await connectDatabase(second.dbUri);
    const doc = await conn2.db!.collection('restart_probe').findOne({ marker: 'kept' });
    await conn2.close();
    second.svc.child.kill('SIGTERM');
    await second.svc.exited;
    assert.equal(doc?.n, 42);
  });

  it('when the configuration is bad, then the service exits 1 naming each bad variable', async () => {
    const svc = startServiceProcess({ PORT: 'abc', LOG_LEVEL: 'loud', DATA_DIR: dataDir });
    const { code } = await svc.exited;
    assert.equal(code, 1);
    const err = svc.stderr.join('');
    assert.match(err, /PORT/);
    assert.match(err, /LOG_LEVEL/);
  });

  it('when neither Go nor MONGODB_URI is available, then the service says exactly what to install or set', async () => {
    const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'nocache-'));
    try {
      const svc = startServiceProcess({
        PORT: '0',
        DATA_DIR: dataDir,
        PATH: path.dirname(process.execPath), // node only, no go
        XDG_CACHE_HOME: emptyCache,
      });
      const { code } = await svc.exited;
      assert.equal(code, 1);
      const err = svc.stderr.join('');
      assert.match(err, /MONGODB_URI/);
      assert.match(err, /Install Go/);
    } finally {
      fs.rmSync(emptyCache, { recursive: true, force: true });
    }
  });
});

describe('operator key on first start', function () {
  this.timeout(360_000);

  it('when ADMIN_API_KEY is unset, then a key is printed once, works, and only its hash is stored', async function () {
    if (process.env.MONGODB_URI) this.skip();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'adminkey-'));
    try {
      const first = startServiceProcess({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
      const listening = await first.waitFor(/^listening$/);
      const db = await first.waitFor(/embedded database \(FerretDB\) started/);
      const printed = first.lines.map((l) => String(l.msg)).join('\n');
      const key = /(cbk_[A-Za-z0-9_-]{20,})/.exec(printed)?.[1];
      assert.ok(key, 'no key printed');
      const ok = await fetch(`http://127.0.0.1:${listening.port as number}/api/clients`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(ok.status, 200);
      const conn = await connectDatabase(db.uri as string);
      const stored = await conn.db!.collection('api_keys').find({}).toArray();
      await conn.close();
      assert.equal(stored.length, 1);
      assert.ok(!JSON.stringify(stored).includes(key));
      first.child.kill('SIGTERM');
      await first.exited;

      const second = startServiceProcess({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
      await second.waitFor(/^listening$/);
      assert.ok(!second.lines.some((l) => /cbk_/.test(String(l.msg))), 'key printed a second time');
      second.child.kill('SIGTERM');
      await second.exited;
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
