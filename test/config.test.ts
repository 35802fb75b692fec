import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config';

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return Object.fromEntries(err.problems.map((p) => [p.variable, p.message]));
  }
  assert.fail('expected a ConfigError');
}

describe('configuration from the environment', () => {
  it('when nothing is set, then defaults apply and the service runs in local simulator mode', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.publicBaseUrl, 'http://localhost:3000');
    assert.equal(c.mongodbUri, undefined);
    assert.match(c.dataDir, /[/\\]data$/);
    assert.equal(c.twilio.mode, 'local');
    assert.equal(c.twilio.authToken, undefined);
    assert.equal(c.adminApiKey, undefined);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.webhookSignatureCheck, true);
    assert.equal(c.jobConcurrency, 50);
    assert.equal(c.eventsAllowPrivateNetworks, false);
  });

  it('when EVENTS_ALLOW_PRIVATE_NETWORKS is set, then only true or false is accepted', () => {
    assert.equal(loadConfig({ EVENTS_ALLOW_PRIVATE_NETWORKS: 'true' }).eventsAllowPrivateNetworks, true);
    assert.equal(loadConfig({ EVENTS_ALLOW_PRIVATE_NETWORKS: 'false' }).eventsAllowPrivateNetworks, false);
    assert.ok(problemsOf({ EVENTS_ALLOW_PRIVATE_NETWORKS: 'yes' }).EVENTS_ALLOW_PRIVATE_NETWORKS);
  });

  it('when PORT is set and PUBLIC_BASE_URL is not, then the public URL follows the port', () => {
    assert.equal(loadConfig({ PORT: '8080' }).publicBaseUrl, 'http://localhost:8080');
  });

  it('when PUBLIC_BASE_URL has a trailing slash, then it is trimmed so URLs join cleanly', () => {
    assert.equal(loadConfig({ PUBLIC_BASE_URL: 'https://abc.ngrok.app/' }).publicBaseUrl, 'https://abc.ngrok.app');
  });

  it('when several variables are bad, then one error names every one of them', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      PUBLIC_BASE_URL: 'ftp://example.com',
      MONGODB_URI: 'postgres://x',
      TWILIO_ACCOUNT_SID: 'nope',
      TWILIO_AUTH_TOKEN: 'short',
      TWILIO_API_BASE_URL: 'not a url',
      ADMIN_API_KEY: 'too-short',
      LOG_LEVEL: 'loud',
      JOB_CONCURRENCY: '0',
    });
    assert.deepEqual(Object.keys(problems).sort(), [
      'ADMIN_API_KEY',
      'JOB_CONCURRENCY',
      'LOG_LEVEL',
      'MONGODB_URI',
      'PORT',
      'PUBLIC_BASE_URL',
      'TWILIO_ACCOUNT_SID',
      'TWILIO_API_BASE_URL',
      'TWILIO_AUTH_TOKEN',
    ]);
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (err) {
      assert.match((err as Error).message, /PORT .*LOG_LEVEL|LOG_LEVEL .*PORT/);
    }
  });

  it('when only one Twilio credential is set, then the missing one is named', () => {
    assert.deepEqual(Object.keys(problemsOf({ TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}` })), ['TWILIO_AUTH_TOKEN']);
    assert.deepEqual(Object.keys(problemsOf({ TWILIO_AUTH_TOKEN: 'x'.repeat(32) })), ['TWILIO_ACCOUNT_SID']);
  });

  it('when a real Twilio account is configured, then the signature check cannot be turned off', () => {
    const problems = problemsOf({
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'x'.repeat(32),
      WEBHOOK_SIGNATURE_CHECK: 'off',
    });
    assert.deepEqual(Object.keys(problems), ['WEBHOOK_SIGNATURE_CHECK']);
  });

  it('when both Twilio credentials are valid, then the service runs in Twilio mode', () => {
    const c = loadConfig({ TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'x'.repeat(32) });
    assert.equal(c.twilio.mode, 'twilio');
  });

  it('when a variable is an empty string, then it counts as unset', () => {
    assert.equal(loadConfig({ MONGODB_URI: '', ADMIN_API_KEY: '  ' }).mongodbUri, undefined);
  });
});
