import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { apiKeyModel } from '../../models/api-key';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { channelModel } from '../../models/channel';
import { placeCallbackHandler } from '../../src/callflow/place-callback';
import { JobRunner } from '../../src/jobs/job-runner';
import { createLogger } from '../../src/logger';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { apiAs } from '../support/api';
import { CALLER, CALLER_PIN, CallflowRig } from '../support/callflow';
import { testDb } from '../support/database';
import { createTestApp, TEST_ADMIN_KEY, TEST_AUTH_TOKEN } from '../support/harness';

/**
 * No secret in any log line at any level: a whole call (ring, callback, PIN, wrong PIN, credit, dial,
 * settlement) and the config API are driven with the service's own logger (src/logger.ts, with its
 * redaction) at level `trace`, writing to memory; then every line is searched for each secret.
 */
class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) this.lines.push(l);
    cb();
  }
}

/** A CallflowRig whose app and job runner log into `capture` at trace level. */
class LoggedRig extends CallflowRig {
  readonly capture = new LogCapture();
  override async start(): Promise<void> {
    const base = await this.standin.start();
    this.t = createTestApp({ twilioApiBaseUrl: base, logger: createLogger('trace', this.capture) });
    this.runner = new JobRunner(this.t.deps, { 'place-callback': placeCallbackHandler(this.t.deps) }, { owner: 'test-runner' });
    this.admin = apiAs(this.t.app);
  }
}

/** Every string value (and key) in a parsed log line, however deep. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  }
  return out;
}

describe('security: no secret in any log line', function () {
  this.timeout(90_000);
  let rig: LoggedRig;
  beforeEach(async () => {
    rig = new LoggedRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when a whole call and the config API run with trace logging, then no API key, auth token, PIN, SIP password or hash appears in the log', async () => {
    const SIP_PASSWORD = 'sip-Secret-Passw0rd-917';
    const NEW_PIN = '86420';
    await rig.seed({ callback: { allowCreditQuery: true, triggerAfterSeconds: 5 } });

    // Config API: a client key, a SIP trunk with a password, a PIN change, reads, and some failures.
    const key = (await rig.admin.post(`/api/clients/${rig.clientId}/api-keys`, { name: 'log test' }).expect(201)).body.key as string;
    const client = apiAs(rig.app, key);
    const sip = await rig.admin
      .post('/api/channels', {
        name: 'SIP trunk',
        type: 'sip',
        prefixes: ['+49'],
        sip: { domain: 'pbx.example.com', username: 'trunkuser', password: SIP_PASSWORD, transport: 'tls' },
      })
      .expect(201);
    await rig.admin.get(`/api/channels/${sip.body.id}`).expect(200);
    await client.get(`/api/extensions/${rig.extensionId}/authorized-callers`).expect(200);
    await client.patch(`/api/extensions/${rig.extensionId}/authorized-callers/${rig.callerId}`, { password: NEW_PIN }).expect(200);
    await client.patch(`/api/extensions/${rig.extensionId}/authorized-callers/${rig.callerId}`, { password: CALLER_PIN }).expect(200);
    await client.post(`/api/extensions/${rig.extensionId}/authorized-callers`, { number: CALLER, password: '12' }).expect(400);
    await apiAs(rig.app, `${key}x`).get('/api/clients').expect(401);

    // A whole call: ring, callback, a wrong PIN, the right PIN, the credit, a dial, its end.
    const ring = await rig.incoming(CALLER);
    assert.equal(findOne(ring.tree, 'Reject').attrs.reason, 'busy');
    const [create] = await rig.runJobs(8_000);
    assert.ok(create, 'no callback placed');
    const sid = rig.createdSid();
    await rig.status(create, sid, 'initiated');
    const answered = await rig.answer(create, sid);
    const retry = await rig.gather(answered, '9999#', sid);
    const menu = await rig.gather(retry, `${CALLER_PIN}#`, sid);
    const credit = await rig.gather(menu, '1', sid);
    const prompt = await rig.gather(credit, '2', sid);
    const dial = await rig.gather(prompt, '00442079460000#', sid);
    findOne(dial.tree, 'Dial');
    await rig.dialEnded(dial, sid, { status: 'completed', duration: 61 });
    await rig.status(create, sid, 'completed', { CallDuration: '95' });

    const lines = rig.capture.lines;
    assert.ok(lines.length > 20, `only ${lines.length} log lines: is the logger wired?`);
    assert.ok(lines.some((l) => /"level":10/.test(l) || /"level":20/.test(l) || /"level":30/.test(l)));

    const caller = await authorizedCallerModel(testDb()).findById(rig.callerId).lean();
    const channel = await channelModel(testDb()).findById(sip.body.id).lean();
    const pinHash = (caller as unknown as { pinHash?: string }).pinHash;
    const passwordEnc = (channel as unknown as { sip?: { passwordEnc?: string } }).sip?.passwordEnc;
    const secrets: Record<string, string | undefined> = {
      'admin API key': TEST_ADMIN_KEY,
      'client API key': key,
      'Twilio auth token': TEST_AUTH_TOKEN,
      'SIP password': SIP_PASSWORD,
      'PIN hash': pinHash,
      'encrypted SIP password': passwordEnc,
      'data encryption key': Buffer.alloc(32, 7).toString('base64'),
    };
    for (const k of await apiKeyModel(testDb()).find({}).lean()) secrets[`API key hash ${k._id}`] = k.hash;
    assert.ok(pinHash, 'the caller has no pinHash: the test needs updating');
    for (const line of lines) {
      for (const [what, secret] of Object.entries(secrets)) {
        if (secret) assert.ok(!line.includes(secret), `${what} in a log line: ${line.slice(0, 400)}`);
      }
      // The PIN digits must never be a logged value (a field that is the PIN, with or without '#').
      const values = strings(JSON.parse(line));
      for (const pin of [CALLER_PIN, NEW_PIN, '9999']) {
        assert.ok(!values.some((v) => v === pin || v === `${pin}#`), `PIN ${pin} logged as a value: ${line.slice(0, 400)}`);
      }
      assert.ok(!/"(passwordHash|pinHash|passwordEnc|authToken)"\s*:\s*"(?!\[redacted\])/.test(line), `a hash or token field in: ${line.slice(0, 400)}`);
    }
  });
});
