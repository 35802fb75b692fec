import assert from 'node:assert/strict';
import supertest from 'supertest';
import { jobModel } from '../../models/job';
import { Types } from 'mongoose';
import { observeDatabaseCommands } from '../../src/metrics/db-commands';
import { CallflowRig } from '../support/callflow';
import { createTestApp, TEST_ADMIN_KEY } from '../support/harness';
import { testDb } from '../support/database';
import { parseExposition, sampleSum, scrape, TEST_METRICS_TOKEN } from '../support/metrics';

const FAMILIES = [
  'callback_http_request_duration_seconds',
  'callback_sessions_ended_total',
  'callback_callbacks_placed_total',
  'callback_callbacks_answered_total',
  'callback_callbacks_retried_total',
  'callback_job_lag_seconds',
  'callback_job_queue_depth',
  'callback_job_queue_due',
  'callback_twilio_rest_errors_total',
  'callback_charged_ten_thousandths_total',
  'callback_event_deliveries_total',
  'callback_db_command_duration_seconds',
  'callback_metrics_collect_errors_total',
];

const withToken = () => createTestApp({ env: { METRICS_TOKEN: TEST_METRICS_TOKEN } });

describe('GET /metrics: access and the exposition', () => {
  it('when METRICS_TOKEN is unset, then /metrics answers 404 like any unknown path, with or without a token', async () => {
    const { app } = createTestApp();
    for (const auth of [undefined, `Bearer ${TEST_METRICS_TOKEN}`, `Bearer ${TEST_ADMIN_KEY}`]) {
      const req = supertest(app).get('/metrics');
      const res = await (auth ? req.set('Authorization', auth) : req).expect(404);
      assert.deepEqual(res.body, { error: { code: 'route_not_found', message: 'no route for GET /metrics' } });
    }
  });

  it('when the token is missing, wrong, of another length or not a bearer token, then 401 with a JSON error and no metrics', async () => {
    const { app } = withToken();
    const wrongSameLength = `${TEST_METRICS_TOKEN.slice(0, -1)}X`;
    for (const auth of [
      undefined,
      `Bearer ${wrongSameLength}`,
      'Bearer short-but-valid-chars',
      `Bearer ${TEST_METRICS_TOKEN}x`,
      `Basic ${TEST_METRICS_TOKEN}`,
      `Bearer ${TEST_ADMIN_KEY}`,
    ]) {
      const req = supertest(app).get('/metrics');
      const res = await (auth ? req.set('Authorization', auth) : req).expect(401);
      assert.equal(res.body.error.code, 'unauthorized', String(auth));
      assert.match(res.body.error.message, /METRICS_TOKEN/);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="metrics"');
      assert.doesNotMatch(res.text, /callback_/);
    }
    const samples = await scrape(app);
    assert.equal(sampleSum(samples, 'callback_http_request_duration_seconds_count', { route: '/metrics', method: 'GET', status: '4xx' }), 6);
    assert.deepEqual([...new Set(samples.filter((s) => s.name === 'callback_http_request_duration_seconds_count').map((s) => s.labels.route))], ['/metrics']);
  });

  it('when the right token is sent, then 200 in the Prometheus text format with every metric family, uncached', async () => {
    const { app } = withToken();
    const res = await supertest(app).get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`).expect(200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4; charset=utf-8$/);
    assert.equal(res.headers['cache-control'], 'no-store');
    for (const name of FAMILIES) {
      assert.match(res.text, new RegExp(`^# HELP ${name} \\S`, 'm'), `no HELP for ${name}`);
      assert.match(res.text, new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'), `no TYPE for ${name}`);
    }
    assert.match(res.text, /^# HELP callback_charged_ten_thousandths_total .*ten-thousandths/m);
    parseExposition(res.text); // every line is a comment or a sample
  });

  it('when two apps run in one process, then each counts only its own requests', async () => {
    const a = withToken();
    const b = withToken();
    await supertest(a.app).get('/healthz').expect(200);
    await supertest(a.app).get('/healthz').expect(200);
    const count = { route: '/healthz', method: 'GET', status: '2xx' };
    assert.equal(sampleSum(await scrape(a.app), 'callback_http_request_duration_seconds_count', count), 2);
    assert.equal(sampleSum(await scrape(b.app), 'callback_http_request_duration_seconds_count', count), 0);
  });

  it('when API requests are answered, then the histogram is labelled with the route pattern, never the raw URL', async () => {
    const { app } = withToken();
    const id = String(new Types.ObjectId());
    await supertest(app).get(`/api/clients/${id}`).set('Authorization', `Bearer ${TEST_ADMIN_KEY}`).expect(404);
    await supertest(app).get(`/api/clients/${id}`).expect(401);
    await supertest(app).get('/no/such/path/+12025550143').expect(404);
    const samples = await scrape(app);
    const routes = new Set(samples.filter((s) => s.name === 'callback_http_request_duration_seconds_count').map((s) => s.labels.route));
    assert.equal(sampleSum(samples, 'callback_http_request_duration_seconds_count', { route: '/api/clients/:id', method: 'GET', status: '4xx' }), 2);
    assert.equal(sampleSum(samples, 'callback_http_request_duration_seconds_count', { route: 'unmatched', status: '4xx' }), 1);
    for (const r of routes) assert.ok(!r!.includes(id) && !r!.includes('+1202'), `raw URL as a label: ${r}`);
  });

  it('when jobs are queued, running and due, then the scrape reads the queue depth by state and type, and 0 once they are gone', async () => {
    const t = withToken();
    const now = t.clock.now();
    const job = (state: string, dueAt: Date) => {
      const sessionId = new Types.ObjectId();
      return { key: `${sessionId}:place:1`, type: 'place-callback', sessionId, dueAt, state };
    };
    await jobModel(testDb()).insertMany([
      job('queued', new Date(now.getTime() - 1_000)),
      job('queued', new Date(now.getTime() - 1)),
      job('queued', new Date(now.getTime() + 60_000)),
      job('running', now),
    ]);
    let samples = await scrape(t.app);
    assert.equal(sampleSum(samples, 'callback_job_queue_depth', { state: 'queued', type: 'place-callback' }), 3);
    assert.equal(sampleSum(samples, 'callback_job_queue_depth', { state: 'running', type: 'place-callback' }), 1);
    assert.equal(sampleSum(samples, 'callback_job_queue_due', { type: 'place-callback' }), 2);

    t.clock.advance(60_000);
    assert.equal(sampleSum(await scrape(t.app), 'callback_job_queue_due', { type: 'place-callback' }), 3);

    await jobModel(testDb()).deleteMany({});
    samples = await scrape(t.app);
    const depth = samples.filter((s) => s.name === 'callback_job_queue_depth' && s.labels.type === 'place-callback');
    assert.deepEqual(depth.map((s) => [s.labels.state, s.value]).sort(), [
      ['queued', 0],
      ['running', 0],
    ]);
    assert.equal(sampleSum(samples, 'callback_job_queue_due', { type: 'place-callback' }), 0);
    assert.equal(sampleSum(samples, 'callback_metrics_collect_errors_total'), 0);
  });

  it('when Twilio answers an error or cannot be reached, then the REST errors are counted by code and status', async () => {
    const rig = new CallflowRig();
    await rig.start({ env: { METRICS_TOKEN: TEST_METRICS_TOKEN } });
    try {
      await assert.rejects(rig.t.deps.twilio.calls(`CA${'f'.repeat(32)}`).fetch(), (err: { status?: number }) => err.status === 404);
      const samples = await scrape(rig.app);
      assert.equal(sampleSum(samples, 'callback_twilio_rest_errors_total', { code: '20404', status: '404' }), 1);
    } finally {
      await rig.stop();
    }
    // The harness's default Twilio base URL is a closed port: no answer at all.
    const offline = withToken();
    await assert.rejects(offline.deps.twilio.calls(`CA${'e'.repeat(32)}`).fetch());
    assert.equal(sampleSum(await scrape(offline.app), 'callback_twilio_rest_errors_total', { code: 'ECONNREFUSED', status: 'none' }), 1);
  });

  it('when the database answers commands, then their latency is observed by command name', async () => {
    const t = withToken();
    const detach = observeDatabaseCommands(testDb(), t.deps.metrics);
    try {
      await jobModel(testDb()).find({}).lean();
      await jobModel(testDb()).countDocuments({});
      const samples = await scrape(t.app);
      assert.ok(sampleSum(samples, 'callback_db_command_duration_seconds_count', { command: 'find', outcome: 'ok' }) >= 1);
      // The scrape's own queue-depth reads are aggregates.
      assert.ok(sampleSum(samples, 'callback_db_command_duration_seconds_count', { command: 'aggregate', outcome: 'ok' }) >= 1);
      await assert.rejects(testDb().db!.command({ noSuchCommand: 1 }));
      const after = await scrape(t.app);
      assert.equal(sampleSum(after, 'callback_db_command_duration_seconds_count', { command: 'noSuchCommand', outcome: 'error' }), 1);
    } finally {
      detach();
    }
  });
});
