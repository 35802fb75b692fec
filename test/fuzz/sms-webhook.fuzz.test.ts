import assert from 'node:assert/strict';
import fc from 'fast-check';
import supertest from 'supertest';
import { SMS_TEXT } from '../../src/callflow/sms-twiml';
import { readMessagingTwiml } from '../../src/twilio-sim/sms-sender';
import { apiAs, createClientWithKey } from '../support/api';
import { createTestApp, TEST_ACCOUNT_SID, twilioSignatureFor, type TestApp } from '../support/harness';

/**
 * The messaging webhook under random and hostile input, as the voice ones are fuzzed
 * (webhooks.fuzz.test.ts): every answer is a 4xx, or a 200 with messaging TwiML carrying one of the
 * service's own texts, never a 5xx, and nothing unsigned gets past the signature. Fixed seed, bounded run.
 */
const NUMBER = '+442071838750';
const CALLER = '+12025550143';
const SEED = 20_261_202;

const validMessageSid = fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `SM${h}`);
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '+',
    '00',
    '*',
    'anonymous',
    'VERIFY',
    NUMBER,
    CALLER,
    '+1 (202) 555-0186',
    '$ne',
    '{"$gt":""}',
    '<Message>x</Message>',
    ']]>',
    '\u0000',
    'whatsapp:+12025550143',
  ),
  fc.integer().map(String),
  fc.integer({ min: 65, max: 2_000 }).map((n) => '9'.repeat(n)),
);
const hostileKey = fc.oneof(
  fc.constantFrom('MessageSid', 'SmsSid', 'AccountSid', 'From', 'To', 'Body', 'NumMedia', 'MediaUrl0', 'MessagingServiceSid'),
  fc.constantFrom('From[$ne]', 'To[$gt]', 'Body[]', '__proto__', 'constructor[prototype][x]', 'MessageSid[$regex]'),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const fields = fc
  .tuple(
    fc.record(
      {
        MessageSid: fc.oneof(validMessageSid, validMessageSid, validMessageSid, hostileString),
        From: fc.oneof(fc.constant(CALLER), hostileString),
        To: fc.oneof(fc.constant(NUMBER), hostileString),
        Body: hostileString,
      },
      { requiredKeys: [] },
    ),
    fc.array(fc.tuple(hostileKey, hostileString), { maxLength: 8 }),
  )
  .map(([base, extra]) => {
    const out: Record<string, string> = { AccountSid: TEST_ACCOUNT_SID, ...base };
    for (const [k, v] of extra) out[k] = v;
    return out;
  });
const kind = fc.constantFrom('form', 'form', 'form', 'json', 'text', 'none');
const signature = fc.constantFrom('valid', 'valid', 'valid', 'missing', 'garbage', 'other-path', 'other-params');
const OUR_TEXTS = new Set<string>(Object.values(SMS_TEXT));

describe('fuzz: the messaging webhook', function () {
  this.timeout(90_000);
  let t: TestApp;

  beforeEach(async () => {
    t = createTestApp();
    const admin = apiAs(t.app);
    const c = await createClientWithKey(t.app, { credit: '10.00' });
    const ch = await admin.post('/api/channels', { name: 'PSTN sms fuzz', type: 'twilio', prefixes: [] }).expect(201);
    const ext = await admin.post('/api/extensions', { clientId: c.clientId, extensionNumber: '1', name: 'Fuzz', callback: { returnCalls: 'caller' } }).expect(201);
    await admin.post(`/api/channels/${ch.body.id}/numbers`, { number: NUMBER, clientId: c.clientId, extensionId: ext.body.id }).expect(201);
  });

  it('when random, malformed, injected or wrongly typed requests hit /sms/incoming, then each answers 4xx or one of our messaging replies, never a 5xx', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(kind, signature, fields, async (k, sig, params) => {
        const path = '/sms/incoming';
        let req = supertest(t.app).post(path);
        const signed = k === 'form' ? params : {};
        if (sig === 'valid') req = req.set('X-Twilio-Signature', twilioSignatureFor(path, signed));
        else if (sig === 'garbage') req = req.set('X-Twilio-Signature', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
        else if (sig === 'other-path') req = req.set('X-Twilio-Signature', twilioSignatureFor('/voice/incoming', signed));
        else if (sig === 'other-params') req = req.set('X-Twilio-Signature', twilioSignatureFor(path, { ...signed, From: '+19005550100' }));
        const body = new URLSearchParams(params).toString();
        const res =
          k === 'form'
            ? await req.type('form').send(body)
            : k === 'json'
              ? await req.type('application/json').send(JSON.stringify({ ...params, From: { $ne: 'x' } }))
              : k === 'text'
                ? await req.type('text/plain').send(body)
                : await req;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const what = `${k} ${sig} ${JSON.stringify(params).slice(0, 300)}`;
        assert.ok(res.status < 500, `${res.status} for ${what}: ${res.text.slice(0, 200)}`);
        if (sig !== 'valid') assert.equal(res.status, 403, `a ${sig} signature was let through: ${what}`);
        if (res.status === 200) {
          assert.match(String(res.headers['content-type']), /text\/xml/);
          const reply = readMessagingTwiml(res.text);
          assert.deepEqual(reply.errors, [], what);
          // One of our texts, or none at all (a sender that is no phone number, or one the operator denies).
          assert.ok(reply.messages.length <= 1, what);
          if (reply.messages.length === 1) {
            assert.ok(
              OUR_TEXTS.has(reply.messages[0]!) || reply.messages[0]!.startsWith('Thank you. We will call you back at'),
              `unexpected reply ${reply.messages[0]} for ${what}`,
            );
          }
        } else {
          assert.ok(res.status >= 400, `${res.status} for ${what}`);
        }
      }),
      { seed: SEED, numRuns: 200, endOnFailure: true },
    );
    assert.ok((statuses.get(200) ?? 0) >= 15, `only ${statuses.get(200) ?? 0} of 200 requests reached the route: ${JSON.stringify([...statuses])}`);
  });
});
