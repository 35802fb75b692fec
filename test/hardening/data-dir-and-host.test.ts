import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { connectDatabase } from '../../src/db/connect';
import { startEmbeddedDb } from '../../src/db/embedded-ferretdb';
import { loadOrCreateDataKey } from '../../src/local-credentials';

/** Issue 15, item 2: DATA_DIR is private to the service's user; the service listens where HOST says. */

const mode = (p: string) => fs.statSync(p).mode & 0o777;

function entriesUnder(dir: string): { path: string; dir: boolean }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? [{ path: p, dir: true }, ...entriesUnder(p)] : [{ path: p, dir: false }];
  });
}

describe('hardening: DATA_DIR permissions and HOST (issue 15, item 2)', function () {
  this.timeout(180_000);

  it('when the embedded database starts on a new DATA_DIR and writes, then DATA_DIR and its folders are 0700 and every file 0600, an old 0644 file included', async function () {
    if (process.platform === 'win32') this.skip();
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'callback-perm-')), 'data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'left-by-an-old-version.json'), '{}', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'left-by-an-old-version.json'), 0o644);
    const db = await startEmbeddedDb({ dataDir });
    try {
      const conn = await connectDatabase(db.uri, 'perm_test');
      await conn.db!.collection('things').insertMany(Array.from({ length: 50 }, (_, i) => ({ i })));
      await conn.close();
      loadOrCreateDataKey(dataDir);
      assert.equal(mode(dataDir), 0o700);
      const entries = entriesUnder(dataDir);
      assert.ok(
        entries.some((e) => e.path.endsWith('.sqlite')),
        entries.map((e) => e.path).join(', '),
      );
      for (const e of entries) assert.equal(mode(e.path), e.dir ? 0o700 : 0o600, `${path.relative(dataDir, e.path)} is ${mode(e.path).toString(8)}`);
    } finally {
      await db.stop();
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });

  it('when HOST is unset, then the service listens on 127.0.0.1 in local mode and on 0.0.0.0 with Twilio credentials; a bad HOST stops boot naming it', () => {
    assert.equal(loadConfig({}).host, '127.0.0.1');
    const twilio = { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'x'.repeat(32) };
    assert.equal(loadConfig(twilio).host, '0.0.0.0');
    assert.equal(loadConfig({ ...twilio, HOST: '127.0.0.1' }).host, '127.0.0.1');
    assert.equal(loadConfig({ HOST: '::1' }).host, '::1');
    assert.equal(loadConfig({ HOST: 'callback.internal' }).host, 'callback.internal');
    for (const bad of ['0.0.0.0:3000', 'http://example.com', 'two words', '999.1.1.1.1']) {
      assert.throws(
        () => loadConfig({ HOST: bad }),
        (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.variable === 'HOST'),
        bad,
      );
    }
  });
});
