import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { TwilioRestStandin } from '../../src/twilio-sim/rest-standin';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';

const SID = `AC${'ab'.repeat(16)}`;
const TOKEN = 'crash-test-token-0123456789abcdef';
const ADMIN = 'crash-test-admin-key-0123456789abcdef';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The real service in a child process, on the embedded database, killed with SIGKILL mid-session. */
describe('crash recovery', function () {
  this.timeout(360_000);
  let dataDir: string;
  let standin: TwilioRestStandin;
  const services: ServiceProcess[] = [];

  beforeEach(async function () {
    if (process.env.MONGODB_URI) this.skip();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
    standin = new TwilioRestStandin({ accountSid: SID, authToken: TOKEN });
  });
  afterEach(async () => {
    for (const s of services.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await standin?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when the service is killed between the reject and the callback, then after restart the callback is placed exactly once', async () => {
    const apiBase = await standin.start();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      DATA_DIR: dataDir,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_API_BASE_URL: apiBase,
      ADMIN_API_KEY: ADMIN,
      LOG_LEVEL: 'info',
    };
    const first = startServiceProcess(env);
    services.push(first);
    await first.waitFor(/^listening$/);

    const api = async (method: string, p: string, body: unknown) => {
      const res = await fetch(`${base}/api${p}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      assert.equal(res.status, 201, `${p}: ${text}`);
      return JSON.parse(text) as { id: string };
    };
    const rt = await api('POST', '/rate-tables', { name: 'r', currency: 'USD', rates: [{ prefix: '+1', perMinute: '0.0100' }] });
    const client = await api('POST', '/clients', { name: 'c', credit: '5.00', rateTableId: rt.id });
    const channel = await api('POST', '/channels', { name: 'PSTN', type: 'twilio', prefixes: [] });
    const ext = await api('POST', '/extensions', {
      clientId: client.id,
      extensionNumber: '100',
      name: 'Desk',
      callback: { returnCalls: 'caller', triggerAfterSeconds: 1 },
    });
    await api('POST', `/channels/${channel.id}/numbers`, { number: '+12025550100', clientId: client.id, extensionId: ext.id });

    const params = { CallSid: `CA${'1'.repeat(32)}`, AccountSid: SID, From: '+12025550143', To: '+12025550100', CallStatus: 'ringing' };
    const res = await fetch(`${base}/voice/incoming`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, `${base}/voice/incoming`, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    assert.match(await res.text(), /<Reject reason="busy"\/>/);
    // The callback is due 3 s after the reject: kill the service before that.
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(standin.callsCreated().length, 0);

    const second = startServiceProcess(env);
    services.push(second);
    await second.waitFor(/^listening$/);
    await until('the callback', () => standin.callsCreated().length > 0, 20_000);
    await new Promise((r) => setTimeout(r, 4_000)); // time for a duplicate to show up, if there were one
    const creates = standin.callsCreated();
    assert.equal(creates.length, 1);
    assert.equal(creates[0]!.params.To, '+12025550143');
    assert.equal(creates[0]!.params.From, '+12025550100');
    standin.assertNoViolations();
    second.child.kill('SIGTERM');
    assert.equal((await second.exited).code, 0);
  });
});
