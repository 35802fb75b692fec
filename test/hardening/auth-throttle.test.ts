import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { sweep } from '../../src/callflow/sweeper';
import { createLogger } from '../../src/logger';
import { testDb } from '../support/database';
import { createTestApp, TEST_ADMIN_KEY } from '../support/harness';

/**
 * Issue 15, item 7: failed authentication is counted per client IP in the database (shared by every
 * instance): after 20 failures in a minute, 429 with Retry-After until the minute is over.
 */

class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) this.lines.push(l);
    cb();
  }
}

const ATTACKER = '203.0.113.7';
const OTHER = '198.51.100.20';
const BAD_KEY = 'cbk_guessed-key-0123456789abcdefghij';

const asFrom = (app: Parameters<typeof supertest>[0], ip: string, key: string) =>
  supertest(app).get('/api/clients').set('X-Forwarded-For', ip).set('Authorization', `Bearer ${key}`);

describe('hardening: throttling failed authentication (issue 15, item 7)', () => {
  it('when one IP fails 20 times in a minute, then it gets 429 with Retry-After on every instance, other IPs are unaffected, and it is logged once without the key', async () => {
    const capture = new LogCapture();
    const one = createTestApp({ logger: createLogger('info', capture) });
    const two = createTestApp(); // another instance on the same database
    for (let i = 0; i < 20; i++) await asFrom(i % 2 ? one.app : two.app, ATTACKER, BAD_KEY).expect(401);

    for (let i = 0; i < 5; i++) {
      const res = await asFrom(one.app, ATTACKER, BAD_KEY).expect(429);
      const retryAfter = Number(res.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${res.headers['retry-after']}`);
      assert.equal(res.body.error.code, 'too_many_failed_authentications');
    }
    await asFrom(two.app, ATTACKER, BAD_KEY).expect(429);
    await asFrom(two.app, ATTACKER, TEST_ADMIN_KEY).expect(429); // the IP is blocked for the minute
    await asFrom(one.app, OTHER, TEST_ADMIN_KEY).expect(200);
    await asFrom(one.app, OTHER, BAD_KEY).expect(401);

    const throttled = capture.lines.filter((l) => l.includes('authentication failures throttled'));
    assert.equal(throttled.length, 1, capture.lines.join('\n'));
    assert.ok(throttled[0]!.includes(ATTACKER));
    for (const l of capture.lines) assert.ok(!l.includes(BAD_KEY), `the key in: ${l}`);
  });

  it('when the minute is over, then the IP is let through again and counted afresh', async () => {
    const t = createTestApp();
    for (let i = 0; i < 21; i++) await asFrom(t.app, ATTACKER, BAD_KEY);
    await asFrom(t.app, ATTACKER, TEST_ADMIN_KEY).expect(429);
    // The window's end, as stored (the limiter keeps its counters on the database's documents).
    const moved = await testDb()
      .db!.collection('auth_failures')
      .updateMany({}, { $set: { expire: new Date(Date.now() - 1000) } });
    assert.ok(moved.matchedCount >= 1);
    await asFrom(t.app, ATTACKER, TEST_ADMIN_KEY).expect(200);
    // FerretDB has no TTL index: the sweeper deletes ended windows.
    assert.ok((await sweep(t.deps)).authFailuresCleared >= 1);
    assert.equal(
      await testDb()
        .db!.collection('auth_failures')
        .countDocuments({ expire: { $lt: new Date() } }),
      0,
    );
    for (let i = 0; i < 20; i++) await asFrom(t.app, ATTACKER, BAD_KEY).expect(401);
    await asFrom(t.app, ATTACKER, BAD_KEY).expect(429);
  });
});
