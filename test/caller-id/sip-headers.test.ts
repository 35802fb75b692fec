import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appendSipHeaders, buildIdentityHeaders, encodeSipHeaderPart, SIP_HEADER_PART_MAX_LENGTH, SipHeaderError, SipHeaderPartTooLongError } from '../../src/caller-id';

function headerPart(uri: string): string {
  return uri.slice(uri.indexOf('?') + 1);
}

function decode(part: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of part.split('&')) {
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = decodeURIComponent(pair.slice(eq + 1));
  }
  return out;
}

describe('SIP header escaping and the header part limit', () => {
  it('when header values contain URI and SIP delimiters, then they are %-encoded', () => {
    const uri = appendSipHeaders('sip:+442079460000@trunk.example.com', {
      'P-Preferred-Identity': '"John & Co" <sip:+441110001@trunk1.example.com>',
    });
    assert.equal(uri, 'sip:+442079460000@trunk.example.com?P-Preferred-Identity=%22John%20%26%20Co%22%20%3Csip%3A%2B441110001%40trunk1.example.com%3E');
  });

  it('when values are decoded by the far end, then they are exactly the original values', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), (a, b) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the reference model removes control characters
        const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, '').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
        const uri = appendSipHeaders('sip:x@h', { 'X-A': a, 'Remote-Party-ID': b });
        const part = headerPart(uri);
        assert.equal(part.split('&').length, 2, 'a value can never add a header');
        assert.deepEqual(decode(part), { 'X-A': clean(a), 'Remote-Party-ID': clean(b) });
      }),
      { numRuns: 500 },
    );
  });

  it('when a value contains a lone surrogate, then it is replaced rather than make encoding throw', () => {
    assert.equal(encodeSipHeaderPart({ 'X-Name': 'a\uD800b' }), 'X-Name=a%EF%BF%BDb');
  });

  it('when a value contains CR/LF, then they are removed so Twilio cannot decode them into a new header', () => {
    const part = encodeSipHeaderPart({ 'X-Name': 'Eve\r\nP-Asserted-Identity: <sip:1@evil>' });
    assert.ok(!/%0D|%0A/i.test(part));
  });

  it('when the URI already has headers, then new ones are appended with & and the limit covers the whole part', () => {
    assert.equal(appendSipHeaders('sip:1@h?X-A=1', { 'X-B': '2' }), 'sip:1@h?X-A=1&X-B=2');
    const existing = `X-A=${'a'.repeat(1000)}`;
    assert.throws(() => appendSipHeaders(`sip:1@h?${existing}`, { 'X-B': 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }), SipHeaderPartTooLongError);
  });

  it('when the header part is exactly 1023 characters, then it is accepted; at 1024 it is refused with a clear error', () => {
    const overhead = 'X-A='.length;
    const ok = appendSipHeaders('sip:1@h', { 'X-A': 'a'.repeat(SIP_HEADER_PART_MAX_LENGTH - overhead) });
    assert.equal(headerPart(ok).length, 1023);
    assert.throws(
      () => appendSipHeaders('sip:1@h', { 'X-A': 'a'.repeat(SIP_HEADER_PART_MAX_LENGTH - overhead + 1) }),
      (e: unknown) => e instanceof SipHeaderPartTooLongError && /1024 characters.*21227/.test(e.message),
    );
  });

  it('when escaping lengthens a value, then the limit is checked on the escaped length', () => {
    // 300 spaces are 900 characters once %-encoded: three copies cannot fit.
    assert.throws(() => appendSipHeaders('sip:1@h', { 'X-A': ' '.repeat(300), 'X-B': ' '.repeat(300) }), SipHeaderPartTooLongError);
  });

  it('when there are no headers, then the URI is unchanged', () => {
    assert.equal(appendSipHeaders('sip:1@h', {}), 'sip:1@h');
  });

  const refusedNames = ['P-Asserted-Identity', 'Privacy', 'X-Twilio-Foo', 'x-twilio', 'Bad Name', 'X-A=b', ''];
  for (const name of refusedNames) {
    it(`when the header name is ${JSON.stringify(name)}, then it is refused before Twilio would fail the call`, () => {
      assert.throws(() => appendSipHeaders('sip:1@h', { [name]: 'v' }), SipHeaderError);
    });
  }

  for (const name of ['User-to-User', 'Remote-Party-ID', 'P-Preferred-Identity', 'P-Called-Party-ID', 'X-Anything', 'x-lower']) {
    it(`when the header name is ${name}, then it is accepted`, () => {
      assert.doesNotThrow(() => appendSipHeaders('sip:1@h', { [name]: 'v' }));
    });
  }

  it("when identity headers from the engine are appended, then every name passes Twilio's rules", () => {
    const headers = buildIdentityHeaders({ number: '+441110001', name: 'John', domain: 'trunk.example.com' });
    const uri = appendSipHeaders('sip:+442079460000@trunk.example.com', headers);
    assert.deepEqual(decode(headerPart(uri)), headers);
  });
});
