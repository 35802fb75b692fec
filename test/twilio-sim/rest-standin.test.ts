import assert from 'node:assert/strict';
import { TwilioRestStandin } from '../../src/twilio-sim/rest-standin';
import { findTwilioOpenApiFile } from '../../src/twilio-sim/reference-dir';
import { createTwilioClient, type TwilioClient } from '../../src/twilio/rest-client';

const accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
const authToken = 'test-token-not-a-secret';
const CALL_SID = /^CA[0-9a-f]{32}$/;

describe('Twilio REST stand-in', function () {
  this.timeout(60_000);
  let standin: TwilioRestStandin;
  let base: string;
  let client: TwilioClient;

  before(async () => {
    assert.ok(findTwilioOpenApiFile(), "Twilio's OpenAPI description comes with the devDependency @twilio/cli-core: run npm ci");
    standin = new TwilioRestStandin({ accountSid, authToken });
    base = await standin.start();
    client = createTwilioClient({ accountSid, authToken, apiBaseUrl: base, timeoutMs: 1_000 });
  });
  after(async () => {
    await standin?.stop();
  });
  beforeEach(() => standin.reset({ numbers: true }));

  /** A raw form POST, for what the SDK would never send. */
  async function rawPost(path: string, form: Record<string, string>, token = authToken) {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${accountSid}:${token}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const callsPath = `/2010-04-01/Accounts/${accountSid}/Calls.json`;

  it('when the SDK creates a call, the stand-in records its form params and answers a queued call', async () => {
    const call = await client.calls.create({
      to: '+15557654321',
      from: '+15551234567',
      url: 'https://cb.example.com/answer',
      statusCallback: 'https://cb.example.com/status',
      statusCallbackEvent: ['initiated', 'answered', 'completed'],
      timeout: 25,
      machineDetection: 'Enable',
      timeLimit: 600,
    });
    assert.match(call.sid, CALL_SID);
    assert.equal(call.status, 'queued');
    assert.equal(call.to, '+15557654321');
    assert.equal(call.accountSid, accountSid);
    assert.ok(call.dateCreated instanceof Date && !Number.isNaN(call.dateCreated.getTime()));

    const [req] = standin.callsCreated();
    assert.ok(req);
    assert.equal(req.authOk, true);
    assert.equal(req.params.To, '+15557654321');
    assert.equal(req.params.Timeout, '25');
    assert.deepEqual(req.params.StatusCallbackEvent, ['initiated', 'answered', 'completed']);
    standin.assertNoViolations();
  });

  it('when a form field is unknown to Twilio, the request is a violation answered with 400', async () => {
    const r = await rawPost(callsPath, { To: '+15557654321', From: '+15551234567', Url: 'https://cb.example.com/a', CallerIdName: 'x' });
    assert.equal(r.status, 400);
    assert.equal(r.body.status, 400);
    assert.ok(
      standin.violations.some((v) => /unknown field CallerIdName/.test(v)),
      standin.violations.join('\n'),
    );
    assert.throws(() => standin.assertNoViolations(), /CallerIdName/);
  });

  it('when Timeout is not an integer, the request is a violation', async () => {
    const r = await rawPost(callsPath, { To: '+15557654321', From: '+15551234567', Url: 'https://cb.example.com/a', Timeout: 'abc' });
    assert.equal(r.status, 400);
    assert.ok(
      standin.violations.some((v) => /Timeout must be integer/.test(v)),
      standin.violations.join('\n'),
    );
  });

  it('when a required field or an absolute Url is missing, the request is a violation', async () => {
    await rawPost(callsPath, { To: '+15557654321', Url: '/relative' });
    assert.ok(standin.violations.some((v) => /missing required field From/.test(v)));
    assert.ok(standin.violations.some((v) => /Url must match format "uri"/.test(v)));
  });

  it('when inline Twiml is invalid TwiML, the request is a violation', async () => {
    const r = await rawPost(callsPath, { To: '+15557654321', From: '+15551234567', Twiml: '<Response><Ring/></Response>' });
    assert.equal(r.status, 400);
    assert.ok(
      standin.violations.some((v) => /Twiml: .*(Element 'Ring'|<Ring> is not a TwiML verb)/.test(v)),
      standin.violations.join('\n'),
    );
  });

  it('when the credentials are wrong, it answers 401 and the SDK raises code 20003', async () => {
    const wrong = createTwilioClient({ accountSid, authToken: 'wrong', apiBaseUrl: base });
    await assert.rejects(
      wrong.calls.create({ to: '+15557654321', from: '+15551234567', url: 'https://cb.example.com/a' }),
      (err: { status?: number; code?: number }) => err.status === 401 && err.code === 20003,
    );
    assert.equal(standin.requests[0]?.authOk, false);
  });

  it('when a 500 is injected, it surfaces as a RestException with that status and code, then recovers', async () => {
    standin.failNext(1, { status: 500, code: 20500, message: 'Internal Server Error' });
    await assert.rejects(
      client.calls.create({ to: '+15557654321', from: '+15551234567', url: 'https://cb.example.com/a' }),
      (err: Error & { status?: number; code?: number }) => err.constructor.name === 'RestException' && err.status === 500 && err.code === 20500,
    );
    const ok = await client.calls.create({ to: '+15557654321', from: '+15551234567', url: 'https://cb.example.com/a' });
    assert.match(ok.sid, CALL_SID);
  });

  it('when a Twilio error such as 21211 is injected, the SDK exposes its code and moreInfo', async () => {
    standin.failNext(1, { status: 400, code: 21211, message: "Invalid 'To' Phone Number" });
    await assert.rejects(
      client.calls.create({ to: '+1', from: '+15551234567', url: 'https://cb.example.com/a' }),
      (err: { status?: number; code?: number; moreInfo?: string }) => err.status === 400 && err.code === 21211 && err.moreInfo === 'https://www.twilio.com/docs/errors/21211',
    );
  });

  it('when a response is delayed past the client timeout, the SDK call fails', async () => {
    standin.delayNext(1, 1_500);
    await assert.rejects(client.calls.create({ to: '+15557654321', from: '+15551234567', url: 'https://cb.example.com/a' }));
  });

  it('fetch reflects the state set with setCallState', async () => {
    const call = await client.calls.create({ to: '+15557654321', from: '+15551234567', url: 'https://cb.example.com/a' });
    standin.setCallState(call.sid, { status: 'completed', duration: 42 });
    const fetched = await client.calls(call.sid).fetch();
    assert.equal(fetched.status, 'completed');
    assert.equal(fetched.duration, '42');
    assert.ok(fetched.endTime instanceof Date);
  });

  it('update redirects a live call and completes it; an ended call cannot be redirected', async () => {
    const call = await client.calls.create({ to: '+15557654321', from: '+15551234567', url: 'https://cb.example.com/a' });
    standin.setCallState(call.sid, { status: 'in-progress' });
    await client.calls(call.sid).update({ url: 'https://cb.example.com/b', method: 'POST' });
    assert.equal(standin.getCall(call.sid)?.url, 'https://cb.example.com/b');
    const done = await client.calls(call.sid).update({ status: 'completed' });
    assert.equal(done.status, 'completed');
    await assert.rejects(client.calls(call.sid).update({ twiml: '<Response><Hangup/></Response>' }), (err: { code?: number }) => err.code === 21220);
    standin.assertNoViolations();
  });

  it('update with an unknown call sid answers 404 like Twilio', async () => {
    await assert.rejects(client.calls(`CA${'f'.repeat(32)}`).fetch(), (err: { status?: number; code?: number }) => err.status === 404 && err.code === 20404);
  });

  it('lists seeded incoming numbers across pages and updates their voice webhook', async () => {
    for (let i = 0; i < 5; i++) standin.addIncomingNumber({ phoneNumber: `+1555000000${i}`, friendlyName: `line ${i}` });
    const all = await client.incomingPhoneNumbers.list({ pageSize: 2 });
    assert.deepEqual(
      all.map((n) => n.phoneNumber),
      ['+15550000000', '+15550000001', '+15550000002', '+15550000003', '+15550000004'],
    );
    assert.equal(standin.requests.filter((r) => r.operationId === 'ListIncomingPhoneNumber').length, 3);

    const target = all[1]!;
    const updated = await client.incomingPhoneNumbers(target.sid).update({
      voiceUrl: 'https://cb.example.com/voice',
      voiceMethod: 'POST',
      statusCallback: 'https://cb.example.com/status',
      statusCallbackMethod: 'POST',
    });
    assert.equal(updated.voiceUrl, 'https://cb.example.com/voice');
    assert.equal(updated.statusCallback, 'https://cb.example.com/status');
    const again = await client.incomingPhoneNumbers.list({ phoneNumber: '+15550000001' });
    assert.equal(again[0]?.voiceUrl, 'https://cb.example.com/voice');
    standin.assertNoViolations();
  });

  it('when a number is updated with SmsUrl and SmsMethod, then they are stored and fetched as Twilio shows them, and the voice fields are kept', async () => {
    const seeded = standin.addIncomingNumber({ phoneNumber: '+15550000009', voiceUrl: 'https://cb.example.com/voice' });
    const sid = seeded.sid as string;
    assert.equal(seeded.sms_url, null);
    assert.equal(seeded.sms_method, 'POST', "Twilio's default");
    const updated = await client.incomingPhoneNumbers(sid).update({ smsUrl: 'https://cb.example.com/sms/incoming', smsMethod: 'GET' });
    assert.equal(updated.smsUrl, 'https://cb.example.com/sms/incoming');
    assert.equal(updated.smsMethod, 'GET');
    const fetched = await client.incomingPhoneNumbers(sid).fetch();
    assert.equal(fetched.smsUrl, 'https://cb.example.com/sms/incoming');
    assert.equal(fetched.voiceUrl, 'https://cb.example.com/voice');
    assert.equal(standin.requests.at(-2)?.params.SmsMethod, 'GET');
    standin.assertNoViolations();
  });

  it('when SmsMethod is not GET or POST, then the request is a violation and nothing is stored', async () => {
    const sid = standin.addIncomingNumber({ phoneNumber: '+15550000008' }).sid as string;
    const r = await rawPost(`/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${sid}.json`, { SmsUrl: 'https://cb.example.com/sms', SmsMethod: 'PUT' });
    assert.equal(r.status, 400);
    assert.ok(
      standin.violations.some((v) => /SmsMethod/.test(v)),
      standin.violations.join('\n'),
    );
    assert.equal(standin.incomingNumbers().find((n) => n.sid === sid)?.sms_url, null);
    standin.reset();
  });

  it('an unknown route answers 404 with a Twilio-style error body', async () => {
    const r = await rawPost(`/2010-04-01/Accounts/${accountSid}/Nonsense.json`, {});
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 20404);
    assert.equal(typeof r.body.more_info, 'string');
  });
});
