import assert from 'node:assert/strict';
import { validateTwiml, assertValidTwiml } from '../../src/twilio-sim/twiml-validator';
import { parseTwiml, findAll, findOne, verbs } from '../../src/twilio-sim/twiml-parse';
import { findTwilioReferenceDir } from '../../src/twilio-sim/reference-dir';

const BASE = 'https://cb.example.com';

/** Twilio's XSD is not on npm: its own messages are checked only where the reference directory exists. */
const withXsd = findTwilioReferenceDir() !== null;

describe('TwiML validator', function () {
  this.timeout(60_000);

  describe('accepts valid voice TwiML', () => {
    const good: Record<string, string> = {
      'Reject with reason busy': '<Response><Reject reason="busy"/></Response>',
      'Gather with a nested Say': `<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" timeout="5" numDigits="1" finishOnKey="" action="${BASE}/menu" method="POST"><Say voice="Polly.Joanna">Press 1</Say></Gather><Say>Bye</Say><Hangup/></Response>`,
      'Dial a Number with callerId, timeLimit, action and answerOnBridge': `<Response><Dial callerId="+15551234567" timeLimit="600" timeout="30" action="${BASE}/dial-done#rc=1&amp;ct=2000" answerOnBridge="true"><Number statusCallback="${BASE}/leg" statusCallbackEvent="initiated ringing answered completed">+15557654321</Number></Dial></Response>`,
      'Dial a Sip URI with headers': `<Response><Dial callerId="anonymous" action="${BASE}/sip-done"><Sip>sip:+442071234567@trunk.example.com?X-Ref=abc%20d</Sip></Dial></Response>`,
      'Play a URL then Hangup': `<Response><Play loop="1">${BASE}/tone.mp3</Play><Hangup/></Response>`,
      'Redirect to an absolute URL': `<Response><Say>One moment</Say><Redirect method="POST">${BASE}/next</Redirect></Response>`,
    };
    for (const [label, xml] of Object.entries(good)) {
      it(label, async () => {
        await assertValidTwiml(xml);
      });
    }
  });

  describe('refuses invalid TwiML', () => {
    // [label, document, the error with Twilio's XSD, the error from our own rules without it (null: the XSD's alone)]
    const bad: Array<[string, string, RegExp, (RegExp | null)?]> = [
      ['an unknown verb', '<Response><Ring/></Response>', /Element 'Ring': This element is not expected/, /<Ring> is not a TwiML verb/],
      ['an unknown attribute', '<Response><Say colour="red">Hi</Say></Response>', /attribute 'colour'.*not allowed/, /<Say>: unknown attribute "colour"/],
      ['Dial nested inside Say', '<Response><Say>Hi<Dial>+15551234567</Dial></Say></Response>', /Element 'Dial': This element is not expected/, /<Dial> is not allowed in <Say>/],
      ['a relative action URL', '<Response><Gather action="/menu"><Say>Hi</Say></Gather></Response>', /Gather@action: "\/menu" is not an absolute URL/],
      ['a relative Redirect URL', '<Response><Redirect>next</Redirect></Response>', /Redirect text: "next" is not an absolute URL/],
      [
        'Reject with reason="nope"',
        '<Response><Reject reason="nope"/></Response>',
        /The value 'nope' is not an element of the set/,
        /<Reject>@reason: "nope" must be rejected or busy/,
      ],
      ['Reject that is not the first verb (the call would be answered and billed)', '<Response><Pause length="1"/><Reject/></Response>', /<Reject> is verb 2/],
      ['verbs after Hangup', '<Response><Hangup/><Say>never</Say></Response>', /<Say> after <Hangup> is unreachable/],
      ['verbs after a Dial with action', `<Response><Dial action="${BASE}/d">+15551234567</Dial><Say>never</Say></Response>`, /after <Dial action> is unreachable/],
      ['a method other than GET or POST', `<Response><Redirect method="PUT">${BASE}/x</Redirect></Response>`, /must be GET or POST/],
      ['a Sip noun holding an http URL', '<Response><Dial><Sip>http://trunk.example.com</Sip></Dial></Response>', /is not a sip: URI/],
      ['a connection override out of range', `<Response><Redirect>${BASE}/x#ct=50</Redirect></Response>`, /#ct=50 must be an integer 100-10000/],
      ['voice="alice", which the current schema no longer allows', '<Response><Say voice="alice">Hi</Say></Response>', /'alice' is not accepted by the pattern/, null],
      ['malformed XML', '<Response><Say>Hi</Response>', /parser error/, /not well-formed XML/],
      ['a root other than Response', '<Reply/>', /No matching global declaration/, /expected <Response>/],
    ];
    for (const [label, xml, withSchema, withoutXsd] of bad) {
      it(label, async function () {
        if (!withXsd && withoutXsd === null) this.skip();
        const expected = withXsd ? withSchema : (withoutXsd ?? withSchema);
        const r = await validateTwiml(xml);
        assert.equal(r.schemaChecked, withXsd);
        assert.equal(r.valid, false);
        assert.ok(
          r.errors.some((e) => expected.test(e)),
          `expected an error matching ${expected}, got:\n${r.errors.join('\n')}`,
        );
      });
    }

    it('assertValidTwiml throws listing every error', async () => {
      await assert.rejects(
        assertValidTwiml('<Response><Gather action="rel" method="PUT"/></Response>'),
        (err: Error) => /[2-9] error\(s\)/.test(err.message) && /absolute URL/.test(err.message) && /GET or POST/.test(err.message),
      );
    });
  });

  it('validates many documents at once in one xmllint run', async () => {
    const docs = Array.from({ length: 8 }, (_, i) => (i % 2 ? '<Response><Reject reason="busy"/></Response>' : '<Response><Nope/></Response>'));
    const results = await Promise.all(docs.map((d) => validateTwiml(d)));
    assert.deepEqual(
      results.map((r) => r.valid),
      docs.map((_, i) => i % 2 === 1),
    );
  });
});

describe('TwiML parse helpers', () => {
  const xml = `<Response><Gather action="${BASE}/menu" numDigits="1"><Say>Press 1</Say><Pause length="2"/></Gather><Dial callerId="+15551234567"><Number>+15557654321</Number></Dial></Response>`;

  it('gives elements, attributes and text as a light tree', () => {
    const tree = parseTwiml(xml);
    assert.deepEqual(verbs(tree), ['Gather', 'Dial']);
    assert.equal(findOne(tree, 'Gather').attrs.action, `${BASE}/menu`);
    assert.equal(findOne(tree, 'Say').text, 'Press 1');
    assert.equal(findOne(tree, 'Number').text, '+15557654321');
    assert.equal(findAll(tree, 'Pause').length, 1);
  });

  it('findOne names the missing element', () => {
    assert.throws(() => findOne(parseTwiml(xml), 'Reject'), /expected a <Reject>/);
  });

  it('refuses malformed XML and another root', () => {
    assert.throws(() => parseTwiml('<Response><Say></Response>'), /not well-formed/);
    assert.throws(() => parseTwiml('<Reply/>'), /expected <Response>/);
  });
});
