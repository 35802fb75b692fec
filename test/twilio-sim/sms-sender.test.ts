import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { incomingSmsParams, newMessageSid, readMessagingTwiml, sendSms } from '../../src/twilio-sim/sms-sender';

/** The phone's SMS: Twilio's incoming-message webhook as Twilio sends it, and the reply read as messaging TwiML. */
const ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'sms-sender-test-token';

describe('phone simulator: sending an SMS', () => {
  it('when the phone texts, then the form carries the parameters Twilio sends for an SMS, signed for the SMS URL', async () => {
    let seen: { url: string; signature: string; params: Record<string, string> } | null = null;
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        seen = { url: req.url ?? '', signature: String(req.headers['x-twilio-signature']), params: Object.fromEntries(new URLSearchParams(raw)) };
        res.setHeader('Content-Type', 'text/xml');
        res.end('<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok &amp; thanks</Message></Response>');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const reply = await sendSms({ serviceUrl: `${base}/`, accountSid: ACCOUNT, authToken: TOKEN, from: '+12025550143', to: '+442071838750', body: '+44 20 7183 8750' });
      assert.deepEqual(reply.errors, []);
      assert.deepEqual(reply.messages, ['ok & thanks']);
      assert.match(reply.messageSid, /^SM[0-9a-f]{32}$/);
      const s = seen!;
      assert.equal(s.url, '/sms/incoming');
      assert.ok(twilio.validateRequest(TOKEN, s.signature, `${base}/sms/incoming`, s.params), 'signature does not validate');
      assert.equal(s.params.MessageSid, reply.messageSid);
      assert.equal(s.params.SmsSid, reply.messageSid);
      assert.equal(s.params.SmsMessageSid, reply.messageSid);
      assert.equal(s.params.AccountSid, ACCOUNT);
      assert.equal(s.params.From, '+12025550143');
      assert.equal(s.params.To, '+442071838750');
      assert.equal(s.params.Body, '+44 20 7183 8750');
      assert.equal(s.params.NumMedia, '0');
      assert.equal(s.params.NumSegments, '1');
      assert.equal(s.params.SmsStatus, 'received');
      assert.equal(s.params.ApiVersion, '2010-04-01');
      assert.equal(s.params.FromCountry, 'US');
      assert.equal(s.params.ToCountry, 'GB');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('when a body is longer than one segment, then NumSegments counts the segments', () => {
    const count = (body: string) => incomingSmsParams({ accountSid: ACCOUNT, from: '+12025550143', to: '+12025550100', body, messageSid: newMessageSid() }).NumSegments;
    assert.equal(count('x'.repeat(160)), '1');
    assert.equal(count('x'.repeat(161)), '2');
    assert.equal(count('x'.repeat(307)), '3');
    assert.equal(count('ж'.repeat(70)), '1');
    assert.equal(count('ж'.repeat(71)), '2');
  });

  it('when the reply is not messaging TwiML, then the phone says what Twilio would complain about', () => {
    assert.deepEqual(readMessagingTwiml('<Response><Message><Body>hi</Body></Message><Message>there</Message></Response>'), { messages: ['hi', 'there'], errors: [] });
    assert.deepEqual(readMessagingTwiml('<Response/>'), { messages: [], errors: [] });
    assert.match(readMessagingTwiml('<MessagingResponse><Message>hi</Message></MessagingResponse>').errors[0]!, /root is <MessagingResponse>/);
    assert.match(readMessagingTwiml('<Response><Say>hi</Say></Response>').errors[0]!, /<Say> is not a messaging TwiML verb/);
    assert.match(readMessagingTwiml('<Response><Message></Message></Response>').errors[0]!, /no body/);
    assert.match(readMessagingTwiml('<Response><Message><Play>x</Play></Message></Response>').errors.join(), /cannot hold <Play>/);
    assert.match(readMessagingTwiml('<Response><Message>').errors[0]!, /not well-formed/);
  });
});
