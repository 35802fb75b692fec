import assert from 'node:assert/strict';
import supertest from 'supertest';
import twilio from 'twilio';
import { createTestApp, TEST_AUTH_TOKEN, TEST_PUBLIC_BASE_URL, twilioSignatureFor } from '../../support/harness';

const params = {
  CallSid: `CA${'1'.repeat(32)}`,
  AccountSid: `AC${'0123456789abcdef'.repeat(2)}`,
  From: '+15551230001',
  To: '+15551230002',
  CallStatus: 'ringing',
  Direction: 'inbound',
  ApiVersion: '2010-04-01',
};

describe('Twilio webhook signatures', () => {
  it('when the signature is correct for PUBLIC_BASE_URL, then the webhook answers TwiML', async () => {
    const { signedPost } = createTestApp();
    const res = await signedPost('/voice/incoming', params).expect(200);
    assert.match(res.headers['content-type'] ?? '', /text\/xml/);
    assert.match(res.text, /<Reject reason="rejected"\/>/);
  });

  it('when the service sits behind a proxy whose Host differs, then the public URL signature is still accepted', async () => {
    const { app } = createTestApp();
    await supertest(app)
      .post('/voice/incoming')
      .set('Host', '10.0.0.7:3000')
      .set('X-Forwarded-Proto', 'http')
      .set('X-Forwarded-Host', 'internal.lb')
      .set('X-Twilio-Signature', twilioSignatureFor('/voice/incoming', params))
      .type('form')
      .send(params)
      .expect(200);
  });

  it('when the query string is part of the signed URL, then it is validated with it', async () => {
    const { app } = createTestApp();
    const path = '/voice/incoming?session=abc&step=2';
    await supertest(app).post(path).set('X-Twilio-Signature', twilioSignatureFor(path, params)).type('form').send(params).expect(200);
    await supertest(app).post('/voice/incoming?session=abc&step=3').set('X-Twilio-Signature', twilioSignatureFor(path, params)).type('form').send(params).expect(403);
  });

  it('when the signature header is missing, then 403', async () => {
    const { app } = createTestApp();
    await supertest(app).post('/voice/incoming').type('form').send(params).expect(403);
  });

  it('when the signature is wrong, then 403', async () => {
    const { app } = createTestApp();
    await supertest(app).post('/voice/incoming').set('X-Twilio-Signature', 'bm90IGEgc2lnbmF0dXJl').type('form').send(params).expect(403);
  });

  it('when a parameter was changed after signing, then 403', async () => {
    const { app } = createTestApp();
    await supertest(app)
      .post('/voice/incoming')
      .set('X-Twilio-Signature', twilioSignatureFor('/voice/incoming', params))
      .type('form')
      .send({ ...params, From: '+15559999999' })
      .expect(403);
  });

  it('when the signature was computed for another URL (host or path), then 403', async () => {
    const { app } = createTestApp();
    const otherHost = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, 'https://evil.example/voice/incoming', params);
    const otherPath = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, `${TEST_PUBLIC_BASE_URL}/voice/status`, params);
    for (const sig of [otherHost, otherPath]) {
      await supertest(app).post('/voice/incoming').set('X-Twilio-Signature', sig).type('form').send(params).expect(403);
    }
  });

  it('when signed with another auth token, then 403', async () => {
    const { app } = createTestApp();
    const sig = twilio.getExpectedTwilioSignature('another-token-0123456789abcdef', `${TEST_PUBLIC_BASE_URL}/voice/incoming`, params);
    await supertest(app).post('/voice/incoming').set('X-Twilio-Signature', sig).type('form').send(params).expect(403);
  });

  it('when local simulator mode turns the check off explicitly, then unsigned webhooks pass', async () => {
    const { app } = createTestApp({ env: { WEBHOOK_SIGNATURE_CHECK: 'off', TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' } });
    await supertest(app).post('/voice/incoming').type('form').send(params).expect(200);
  });
});
