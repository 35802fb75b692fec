import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectNumbers, findPublicUrl, httpServiceApi, TWILIO_CHANNEL_NAME } from '../../src/twilio/connect-numbers';
import { createTwilioClient } from '../../src/twilio/rest-client';
import { TwilioRestStandin } from '../../src/twilio-sim/rest-standin';
import { apiAs, createClientWithKey } from '../support/api';
import { createTestApp, TEST_ACCOUNT_SID, TEST_ADMIN_KEY, TEST_AUTH_TOKEN, type TestApp } from '../support/harness';

/** `npm run twilio:connect` against the REST stand-in and the service's own config API. */
const PUBLIC = 'https://callback.example.ngrok.app';
const RINGS_BACK = '+12025550100';
const UNKNOWN = '+12025550111';
const NO_EXTENSION = '+12025550122';
const VOICE_ONLY = '+12025550133';

describe('twilio:connect: wiring Twilio numbers to the service', function () {
  this.timeout(60_000);
  let standin: TwilioRestStandin;
  let t: TestApp;
  let server: http.Server;
  let serviceUrl: string;
  let twilioBase: string;
  let channelId: string;
  let extensionId: string;
  let clientId: string;
  const lines: string[] = [];

  beforeEach(async () => {
    standin = new TwilioRestStandin({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, checkOpenApi: 'auto' });
    twilioBase = await standin.start();
    t = createTestApp({ twilioApiBaseUrl: twilioBase });
    server = http.createServer(t.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    lines.length = 0;

    const admin = apiAs(t.app);
    const c = await createClientWithKey(t.app);
    const ch = await admin.post('/api/channels', { name: 'Local PSTN', type: 'twilio', prefixes: [] }).expect(201);
    const ext = await admin.post('/api/extensions', { clientId: c.clientId, extensionNumber: '100', name: 'Desk', callback: { returnCalls: 'caller' } }).expect(201);
    await admin.post(`/api/channels/${ch.body.id}/numbers`, { number: RINGS_BACK, clientId: c.clientId, extensionId: ext.body.id }).expect(201);
    await admin.post(`/api/channels/${ch.body.id}/numbers`, { number: NO_EXTENSION, clientId: c.clientId }).expect(201);
    channelId = ch.body.id;
    extensionId = ext.body.id;
    clientId = c.clientId;
    standin.addIncomingNumber({ phoneNumber: RINGS_BACK, voiceUrl: 'https://demo.twilio.com/welcome/voice/' });
    standin.addIncomingNumber({ phoneNumber: UNKNOWN });
    standin.addIncomingNumber({ phoneNumber: NO_EXTENSION });
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    standin.assertNoViolations();
    await standin.stop();
  });

  const run = (dryRun: boolean) =>
    connectNumbers({
      twilio: createTwilioClient({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, apiBaseUrl: twilioBase }),
      api: httpServiceApi(serviceUrl, TEST_ADMIN_KEY),
      publicUrl: PUBLIC,
      dryRun,
      log: (l) => lines.push(l),
    });
  const byNumber = (n: string) => standin.incomingNumbers().find((x) => x.phone_number === n)!;
  const updates = () => standin.requests.filter((r) => r.operationId === 'UpdateIncomingPhoneNumber').length;
  const serviceNumbers = async () =>
    (await apiAs(t.app).get('/api/numbers?limit=100').expect(200)).body.items as Array<{ number: string; channel: { name: string }; clientId: string | null }>;

  it('when run with --dry-run, then it lists the changes and changes nothing on Twilio or in the service', async () => {
    const r = await run(true);
    assert.deepEqual(r.changes.map((c) => c.kind).sort(), ['create-channel', 'import-number', 'point-number']);
    assert.ok(
      lines.some((l) => /would point \+12025550100/.test(l)),
      lines.join('\n'),
    );
    assert.equal(updates(), 0);
    assert.equal(byNumber(RINGS_BACK).voice_url, 'https://demo.twilio.com/welcome/voice/');
    assert.equal(byNumber(RINGS_BACK).sms_url, null);
    assert.match(lines.find((l) => /would point \+12025550100/.test(l))!, /SMS https:\/\/callback\.example\.ngrok\.app\/sms\/incoming \[was unset\]/);
    assert.equal((await serviceNumbers()).length, 2);
  });

  it('when run for real, then numbers ringing back to an extension point at /voice/incoming with /voice/status, new numbers are imported unassigned, the rest is left alone', async () => {
    await run(false);
    const n = byNumber(RINGS_BACK);
    assert.equal(n.voice_url, `${PUBLIC}/voice/incoming`);
    assert.equal(n.voice_method, 'POST');
    assert.equal(n.status_callback, `${PUBLIC}/voice/status`);
    assert.equal(n.status_callback_method, 'POST');
    assert.equal(n.sms_url, `${PUBLIC}/sms/incoming`);
    assert.equal(n.sms_method, 'POST');
    assert.equal(byNumber(UNKNOWN).voice_url, null, 'an imported number rings back to nothing yet');
    assert.equal(byNumber(UNKNOWN).sms_url, null);
    assert.equal(byNumber(NO_EXTENSION).voice_url, null);
    assert.equal(byNumber(NO_EXTENSION).sms_url, null);
    const imported = (await serviceNumbers()).find((x) => x.number === UNKNOWN);
    assert.equal(imported?.channel.name, TWILIO_CHANNEL_NAME);
    assert.equal(imported?.clientId, null);
  });

  it('when run a second time, then nothing changes and it says so', async () => {
    await run(false);
    const before = updates();
    const channelsBefore = (await apiAs(t.app).get('/api/channels').expect(200)).body.items.length;
    lines.length = 0;
    const r = await run(false);
    assert.deepEqual(r.changes, []);
    assert.equal(updates(), before);
    assert.equal((await apiAs(t.app).get('/api/channels').expect(200)).body.items.length, channelsBefore);
    assert.match(lines.join('\n'), /nothing to change/);
  });

  it('when only the SMS URL of a connected number was changed since, then the next run points it back, by POST, and touches nothing else', async () => {
    await run(false);
    const sid = byNumber(RINGS_BACK).sid as string;
    const twilio = createTwilioClient({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, apiBaseUrl: twilioBase });
    await twilio.incomingPhoneNumbers(sid).update({ smsUrl: 'https://demo.twilio.com/welcome/sms/reply', smsMethod: 'GET' });
    assert.equal(byNumber(RINGS_BACK).sms_method, 'GET', 'the stand-in stores SmsMethod');
    const before = updates();
    const r = await run(false);
    assert.deepEqual(
      r.changes.map((c) => [c.kind, c.number]),
      [['point-number', RINGS_BACK]],
    );
    assert.equal(updates(), before + 1);
    const sent = standin.requests.filter((x) => x.operationId === 'UpdateIncomingPhoneNumber').at(-1)!.params;
    assert.equal(sent.SmsUrl, `${PUBLIC}/sms/incoming`);
    assert.equal(sent.SmsMethod, 'POST');
    assert.equal(byNumber(RINGS_BACK).sms_url, `${PUBLIC}/sms/incoming`);
    assert.equal(byNumber(RINGS_BACK).sms_method, 'POST');
    assert.equal(byNumber(RINGS_BACK).voice_url, `${PUBLIC}/voice/incoming`);
  });

  it('when a number that rings back takes no SMS, then only its voice webhooks are set, and a second run leaves it alone', async () => {
    standin.addIncomingNumber({ phoneNumber: VOICE_ONLY, capabilities: { sms: false } });
    await apiAs(t.app).post(`/api/channels/${channelId}/numbers`, { number: VOICE_ONLY, clientId, extensionId }).expect(201);
    await run(false);
    const sid = byNumber(VOICE_ONLY).sid;
    const sent = standin.requests.find((x) => x.operationId === 'UpdateIncomingPhoneNumber' && x.path.endsWith(`/${sid}.json`))?.params;
    assert.ok(sent, 'the voice-only number was not pointed at the service');
    assert.equal(sent.VoiceUrl, `${PUBLIC}/voice/incoming`);
    assert.equal(sent.SmsUrl, undefined);
    assert.equal(byNumber(VOICE_ONLY).sms_url, null);
    const r = await run(false);
    assert.deepEqual(r.changes, []);
  });

  it('when PUBLIC_BASE_URL is not set, then the https URL of the local ngrok agent API is used', async () => {
    const agent = http.createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(req.url === '/api/tunnels' ? { tunnels: [{ public_url: 'http://x.ngrok.app' }, { public_url: 'https://x.ngrok.app' }] } : {}));
    });
    await new Promise<void>((r) => agent.listen(0, '127.0.0.1', () => r()));
    try {
      const url = await findPublicUrl({}, `http://127.0.0.1:${(agent.address() as AddressInfo).port}`);
      assert.equal(url, 'https://x.ngrok.app');
      assert.equal(await findPublicUrl({ PUBLIC_BASE_URL: 'https://mine.example/' }), 'https://mine.example');
    } finally {
      await new Promise<void>((r) => agent.close(() => r()));
    }
  });
});
