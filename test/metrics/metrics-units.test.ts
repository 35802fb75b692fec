import assert from 'node:assert/strict';
import { metricsAccess } from '../../routes/metrics';
import { loadConfig, ConfigError } from '../../src/config';
import { currencyLabel, reasonLabel, routeLabel, sessionStatusLabel, statusClassLabel, twilioErrorCodeLabel } from '../../src/metrics/labels';
import { createMetrics } from '../../src/metrics/metrics';
import { errorCodeOf } from '../../src/twilio/rest-client';
import { parseExposition, sampleSum } from '../support/metrics';

const TOKEN = 'metrics-token-0123456789abcdefgh';

async function samplesOf(m: ReturnType<typeof createMetrics>) {
  return parseExposition((await m.exposition()).text);
}

describe('metrics: the pure parts', () => {
  describe('label values stay in bounded sets', () => {
    it('when a reason is a known code, then it is kept; a Twilio error keeps its five-digit code; anything else is "other"', () => {
      assert.equal(reasonLabel('callback-busy'), 'callback-busy');
      assert.equal(reasonLabel('caller-id-no-presentable-number'), 'caller-id-no-presentable-number');
      assert.equal(reasonLabel('twilio-error-21211'), 'twilio-error-21211');
      assert.equal(reasonLabel('twilio-error-ECONNABORTED'), 'twilio-error-ECONNABORTED');
      assert.equal(reasonLabel('twilio-error-123456789'), 'twilio-error');
      assert.equal(reasonLabel('+12025550143'), 'other');
      assert.equal(reasonLabel('Reason With Spaces'), 'other');
      assert.equal(reasonLabel(`x${'-a'.repeat(40)}`), 'other');
      assert.equal(reasonLabel(null), 'other');
    });

    it('when a Twilio failure is labelled, then only a five-digit code or a network error code passes', () => {
      assert.equal(twilioErrorCodeLabel(20404), '20404');
      assert.equal(twilioErrorCodeLabel('21211'), '21211');
      assert.equal(twilioErrorCodeLabel('ECONNREFUSED'), 'ECONNREFUSED');
      assert.equal(twilioErrorCodeLabel('ERR_BAD_RESPONSE'), 'ERR_BAD_RESPONSE');
      assert.equal(twilioErrorCodeLabel(undefined), 'none');
      assert.equal(twilioErrorCodeLabel(42), 'other');
      assert.equal(twilioErrorCodeLabel('CA0123456789abcdef0123456789abcdef'), 'other');
    });

    it('when a route is labelled, then it is the pattern; no route is "unmatched"', () => {
      assert.equal(routeLabel('/api', '/clients/:id'), '/api/clients/:id');
      assert.equal(routeLabel('/voice', '/callback/pin'), '/voice/callback/pin');
      assert.equal(routeLabel('', '/healthz'), '/healthz');
      assert.equal(routeLabel('/api', '/'), '/api');
      assert.equal(routeLabel('/api', undefined), 'unmatched');
      assert.equal(routeLabel('', /regex/), 'unmatched');
    });

    it('when statuses and currencies are labelled, then unknown values are "other"', () => {
      assert.equal(statusClassLabel(204), '2xx');
      assert.equal(statusClassLabel(503), '5xx');
      assert.equal(statusClassLabel(42), 'other');
      assert.equal(sessionStatusLabel('completed'), 'completed');
      assert.equal(sessionStatusLabel('weird'), 'other');
      assert.equal(currencyLabel('EUR'), 'EUR');
      assert.equal(currencyLabel('eur'), 'other');
    });
  });

  describe('GET /metrics access', () => {
    it('when no token is configured, then the route is disabled whatever is sent', () => {
      assert.equal(metricsAccess(undefined, `Bearer ${TOKEN}`), 'disabled');
    });

    it('when the token matches exactly, then open; any other header is denied', () => {
      assert.equal(metricsAccess(TOKEN, `Bearer ${TOKEN}`), 'open');
      for (const h of [undefined, '', TOKEN, `bearer ${TOKEN}`, `Bearer ${TOKEN} `, `Bearer ${TOKEN.slice(1)}`, `Bearer ${TOKEN}0`, `Bearer ${TOKEN.toUpperCase()}`]) {
        assert.equal(metricsAccess(TOKEN, h), 'denied', String(h));
      }
    });

    it('when METRICS_TOKEN is short or holds characters a bearer header cannot carry, then the config refuses it at boot', () => {
      assert.equal(loadConfig({ METRICS_TOKEN: TOKEN }).metricsToken, TOKEN);
      assert.equal(loadConfig({}).metricsToken, undefined);
      for (const bad of ['too-short-token', `${TOKEN} with spaces`]) {
        assert.throws(
          () => loadConfig({ METRICS_TOKEN: bad }),
          (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.variable === 'METRICS_TOKEN'),
        );
      }
    });
  });

  describe('the metrics object', () => {
    it('when each recording method is called, then its series shows the value with bounded labels', async () => {
      const m = createMetrics();
      m.sessionEnded('failed', 'twilio-error-21211');
      m.sessionEnded('failed', '+12025550143');
      m.callbackRetried('no-answer');
      m.callbackRetried('ringing');
      m.charged('dial', 'EUR', 1234);
      m.charged('dial', 'EUR', 1);
      m.eventDelivery('delivered');
      m.eventDelivery('delivered');
      m.eventDelivery('gave-up');
      m.twilioError(21211, 400);
      m.jobStarted('place-callback', 1.5);
      m.dbCommand('find', 0.002, true);
      const s = await samplesOf(m);
      assert.equal(sampleSum(s, 'callback_sessions_ended_total', { status: 'failed', reason: 'twilio-error-21211' }), 1);
      assert.equal(sampleSum(s, 'callback_sessions_ended_total', { status: 'failed', reason: 'other' }), 1);
      assert.equal(sampleSum(s, 'callback_callbacks_retried_total', { after: 'no-answer' }), 1);
      assert.equal(sampleSum(s, 'callback_callbacks_retried_total', { after: 'other' }), 1);
      assert.equal(sampleSum(s, 'callback_charged_ten_thousandths_total', { currency: 'EUR', leg: 'dial' }), 1235);
      assert.equal(sampleSum(s, 'callback_event_deliveries_total', { result: 'delivered' }), 2);
      assert.equal(sampleSum(s, 'callback_event_deliveries_total', { result: 'gave-up' }), 1);
      assert.equal(sampleSum(s, 'callback_twilio_rest_errors_total', { code: '21211', status: '400' }), 1);
      assert.equal(sampleSum(s, 'callback_job_lag_seconds_bucket', { type: 'place-callback', le: '1' }), 0);
      assert.equal(sampleSum(s, 'callback_job_lag_seconds_bucket', { type: 'place-callback', le: '2.5' }), 1);
      assert.equal(sampleSum(s, 'callback_db_command_duration_seconds_count', { command: 'find', outcome: 'ok' }), 1);
    });

    it('when process metrics are asked for, then the default process metrics are in this registry only', async () => {
      const withProcess = (await createMetrics({ processMetrics: true }).exposition()).text;
      assert.match(withProcess, /^process_cpu_user_seconds_total /m);
      assert.match(withProcess, /^nodejs_eventloop_lag_seconds /m);
      assert.doesNotMatch((await createMetrics().exposition()).text, /process_cpu_user_seconds_total/);
    });

    it('when the job queue read fails or hangs, then the scrape still answers, counts the failure and keeps the last values', async () => {
      let mode: 'ok' | 'fail' | 'hang' = 'ok';
      const m = createMetrics({
        jobQueueTimeoutMs: 50,
        jobQueue: () => {
          if (mode === 'fail') return Promise.reject(new Error('database down'));
          if (mode === 'hang') return new Promise(() => {});
          return Promise.resolve({ byState: [{ state: 'queued', type: 'place-callback', count: 7 }], due: [{ type: 'place-callback', count: 3 }] });
        },
      });
      assert.equal(sampleSum(await samplesOf(m), 'callback_job_queue_depth', { state: 'queued' }), 7);
      mode = 'fail';
      let s = await samplesOf(m);
      assert.equal(sampleSum(s, 'callback_job_queue_depth', { state: 'queued' }), 7);
      assert.equal(sampleSum(s, 'callback_metrics_collect_errors_total', { collector: 'job_queue' }), 1);
      mode = 'hang';
      s = await samplesOf(m);
      assert.equal(sampleSum(s, 'callback_job_queue_due', { type: 'place-callback' }), 3);
      assert.equal(sampleSum(s, 'callback_metrics_collect_errors_total', { collector: 'job_queue' }), 2);
    });
  });

  it("when Twilio's error body is read, then its code is taken from JSON text or an object, and nothing else", () => {
    assert.equal(errorCodeOf('{"code":20404,"message":"not found","status":404}'), 20404);
    assert.equal(errorCodeOf({ code: 21211 }), 21211);
    assert.equal(errorCodeOf('<html>bad gateway</html>'), undefined);
    assert.equal(errorCodeOf(null), undefined);
  });
});
