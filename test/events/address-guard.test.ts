import assert from 'node:assert/strict';
import { isPublicAddress, urlProblem } from '../../src/events/address-guard';
import { signatureHeader, verifySignature } from '../../src/events/signature';

describe('events: which addresses and URLs may receive events (pure)', () => {
  it('when an address is in a private, loopback, link-local, CGNAT, multicast, unspecified or mapped-private range, then it is not public', () => {
    const refused = [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '192.0.2.1',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::7f00:1',
      '[::1]',
      'not-an-ip',
    ];
    for (const ip of refused) assert.equal(isPublicAddress(ip), false, ip);
    for (const ip of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) assert.equal(isPublicAddress(ip), true, ip);
  });

  it('when a URL is checked, then only https to a name or a public IP passes, http only where private networks are allowed', () => {
    assert.equal(urlProblem('https://hooks.example.com/x', false), null);
    assert.equal(urlProblem('https://8.8.8.8/x', false), null);
    assert.equal(urlProblem('http://hooks.example.com/x', false), 'scheme');
    assert.equal(urlProblem('ftp://hooks.example.com/x', true), 'scheme');
    assert.equal(urlProblem('https://127.0.0.1/x', false), 'private-address');
    assert.equal(urlProblem('https://[::1]:8443/x', false), 'private-address');
    // The URL parser's other spellings of 127.0.0.1 are normalized before the check.
    assert.equal(urlProblem('https://2130706433/x', false), 'private-address');
    assert.equal(urlProblem('https://0x7f.1/x', false), 'private-address');
    assert.equal(urlProblem('https://[::ffff:7f00:1]/x', false), 'private-address');
    assert.equal(urlProblem('https://user:pw@hooks.example.com/x', false), 'credentials');
    assert.equal(urlProblem('hooks.example.com', false), 'not-a-url');
    assert.equal(urlProblem('http://127.0.0.1:8080/x', true), null);
  });

  it('when a body is signed, then the receiver check accepts it and refuses another body, another secret or an old t', () => {
    const at = new Date('2026-01-02T03:04:05Z');
    const header = signatureHeader('whsec_test', '{"a":1}', at);
    assert.match(header, /^t=1767323045,v1=[0-9a-f]{64}$/);
    assert.equal(verifySignature('whsec_test', '{"a":1}', header, at), true);
    assert.equal(verifySignature('whsec_test', '{"a":2}', header, at), false);
    assert.equal(verifySignature('whsec_other', '{"a":1}', header, at), false);
    assert.equal(verifySignature('whsec_test', '{"a":1}', header, new Date(at.getTime() + 301_000)), false);
  });
});
