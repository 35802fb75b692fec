import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { connectDatabase } from '../../src/db/connect';
import { startEmbeddedDb } from '../../src/db/embedded-ferretdb';
import { createApp } from '../../routes/app';
import { createTestApp, TEST_ADMIN_KEY } from '../support/harness';

describe('HTTP basics', () => {
  it('when /healthz is asked, then the process answers ok', async () => {
    const { app } = createTestApp();
    const res = await supertest(app).get('/healthz').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('when the database answers, then /readyz is 200', async () => {
    const { app } = createTestApp();
    const res = await supertest(app).get('/readyz').expect(200);
    assert.equal(res.body.status, 'ready');
  });

  it('when the database process is stopped, then /readyz is 503', async function () {
    this.timeout(180_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readyz-db-'));
    const db = await startEmbeddedDb({ dataDir: dir });
    const conn = await connectDatabase(db.uri, 'readyz');
    try {
      const { deps } = createTestApp();
      const app = createApp({ ...deps, db: conn });
      await supertest(app).get('/readyz').expect(200);
      await db.stop();
      const res = await supertest(app).get('/readyz').expect(503);
      assert.equal(res.body.status, 'database unavailable');
    } finally {
      await conn.close(true).catch(() => {});
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when a JSON body of 1 MB is sent to the API, then 413 with a JSON error', async () => {
    const { app } = createTestApp();
    const res = await supertest(app)
      .post('/api/clients')
      .set('Authorization', `Bearer ${TEST_ADMIN_KEY}`) // the body is read only after authentication
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(1024 * 1024) }))
      .expect(413);
    assert.equal(res.body.error.code, 'payload_too_large');
  });

  it('when a 1 MB form is posted to a voice webhook, then 413 and no crash', async () => {
    const { app } = createTestApp();
    await supertest(app)
      .post('/voice/incoming')
      .type('form')
      .send(`From=${'9'.repeat(1024 * 1024)}`)
      .expect(413);
    await supertest(app).get('/healthz').expect(200);
  });

  it('when an API path does not exist, then a JSON 404', async () => {
    const { app } = createTestApp();
    const res = await supertest(app).get('/api/nothing-here').expect(404);
    assert.equal(res.body.error.code, 'route_not_found');
  });

  it('when the API gets malformed JSON, then a JSON 400', async () => {
    const { app } = createTestApp();
    const res = await supertest(app).post('/api/clients').set('Authorization', `Bearer ${TEST_ADMIN_KEY}`).set('Content-Type', 'application/json').send('{"name":').expect(400);
    assert.equal(res.body.error.code, 'invalid_json');
  });

  it('when a request comes in, then it carries a request id back, reusing a sane caller-given one', async () => {
    const { app } = createTestApp();
    const fresh = await supertest(app).get('/healthz');
    assert.match(String(fresh.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const given = await supertest(app).get('/healthz').set('X-Request-Id', 'trace-abc.123');
    assert.equal(given.headers['x-request-id'], 'trace-abc.123');
    const hostile = await supertest(app)
      .get('/healthz')
      .set('X-Request-Id', `bad id <script> ${'x'.repeat(100)}`);
    assert.match(String(hostile.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('when any response is sent, then helmet security headers are on it', async () => {
    const { app } = createTestApp();
    const res = await supertest(app).get('/healthz');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-powered-by'], undefined);
  });
});
