import assert from 'node:assert/strict';
import { resolveCallerId, type CallerIdMode } from '../../src/caller-id';
import { assertOk, assertRefused, CALLER_PHONE, makeInput, type Overrides, PUBLIC_NUMBER, rules, SIP1, SIP2, TW1 } from './fixtures';

describe('caller ID name rules', () => {
  const cases: { name: string; given: Overrides; expect: string | null; rule: string }[] = [
    { name: 'when the name mode is server, then the contact name is presented', given: {}, expect: 'John White', rule: 'name.server' },
    {
      name: 'when the name mode is server and the contact name is empty, then no name',
      given: { name: '  ' },
      expect: null,
      rule: 'name.server.none',
    },
    {
      name: 'when the name mode is equipment, then the name the caller phone presented (Twilio CallerName)',
      given: { callerId: { name: { mode: 'equipment' } } },
      expect: 'Alice Caller',
      rule: 'name.equipment',
    },
    {
      name: 'when the name mode is equipment and Twilio gave no CallerName, then no name',
      given: { callerId: { name: { mode: 'equipment' } }, equipment: { number: CALLER_PHONE, name: null } },
      expect: null,
      rule: 'name.equipment.none',
    },
    {
      name: 'when the name mode is user, then the custom value',
      given: { callerId: { name: { mode: 'user', value: 'Acme Sales' } } },
      expect: 'Acme Sales',
      rule: 'name.user',
    },
    {
      name: 'when the name mode is user without a value, then the contact name (the field default in the seed)',
      given: { callerId: { name: { mode: 'user', value: '' } } },
      expect: 'John White',
      rule: 'name.user.missing-value-fallback-server',
    },
    {
      name: 'when a name contains control characters, then they are removed',
      given: { callerId: { name: { mode: 'equipment' } }, equipment: { number: CALLER_PHONE, name: 'Eve\r\nX-Evil: 1' } },
      expect: 'EveX-Evil: 1',
      rule: 'name.equipment',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = assertOk(resolveCallerId(makeInput(c.given)));
      assert.equal(d.name, c.expect);
      assert.ok(rules(d).includes(c.rule), JSON.stringify(rules(d)));
    });
  }

  it('when the route is Twilio PSTN, then the trace says the name is not transmitted (no Dial attribute for it)', () => {
    const d = assertOk(resolveCallerId(makeInput({ route: TW1 })));
    assert.ok(rules(d).includes('name.not-transmitted-twilio'));
  });
});

describe('hiding the caller ID, and its precedence', () => {
  const modes: CallerIdMode[] = ['server', 'equipment', 'user'];
  for (const numberMode of modes) {
    for (const nameMode of modes) {
      it(`when hide is set on a SIP route (number ${numberMode}, name ${nameMode}), then callerId is "anonymous" with no number, no name and no identity`, () => {
        const d = assertOk(
          resolveCallerId(
            makeInput({
              callerId: {
                hide: true,
                sendIdentityHeaders: true,
                number: { mode: numberMode, value: '5551234' },
                name: { mode: nameMode, value: 'Custom' },
                numbers: ['+441110001', '+441110002'],
                defaultNumber: '+441110001',
              },
              random: () => {
                throw new Error('hide must decide before any pick');
              },
            }),
          ),
        );
        assert.equal(d.number, null);
        assert.equal(d.name, null);
        assert.equal(d.sipCallerId, 'anonymous');
        assert.deepEqual(Object.keys(d.sipHeaders).sort(), ['Remote-Party-ID', 'X-Privacy']);
        assert.match(d.sipHeaders['Remote-Party-ID'] ?? '', /privacy=full/);
        const everything = JSON.stringify(d.sipHeaders);
        for (const leak of ['+441110001', '+441110002', '5551234', CALLER_PHONE, PUBLIC_NUMBER, 'John White', 'Custom', 'Alice']) {
          assert.ok(!everything.includes(leak), `headers leak ${leak}`);
        }
        assert.deepEqual(rules(d).slice(1), ['hide.sip-anonymous', 'hide.identity-headers-suppressed']);
      });
    }
  }

  it('when hide is set on a Twilio route, then the call is refused because Twilio PSTN cannot hide the number', () => {
    const d = assertRefused(resolveCallerId(makeInput({ route: TW1, callerId: { hide: true, numbers: ['+33100001'], defaultNumber: '+33100001' } })));
    assert.equal(d.reason, 'hide-unsupported-on-route');
    assert.ok(rules(d).includes('hide.twilio-refused'));
    assert.ok(!JSON.stringify(d).includes('+33100001'), 'a refusal must not reveal the number either');
  });

  it('when hide is set, then it wins over an assigned number, a default, the public number and every mode', () => {
    const d = assertOk(resolveCallerId(makeInput({ route: SIP2, callerId: { hide: true, numbers: ['+12120001'], defaultNumber: '+12120002' } })));
    assert.equal(d.number, null);
    assert.ok(!rules(d).some((r) => r.startsWith('number.')));
  });
});

describe('SIP identity headers', () => {
  it('when sendIdentityHeaders is set on a public SIP call, then P-Preferred-Identity, Remote-Party-ID and X-P-Asserted-Identity carry the number and name', () => {
    const d = assertOk(resolveCallerId(makeInput({ callerId: { sendIdentityHeaders: true, numbers: ['+441110001'] } })));
    assert.equal(d.sipCallerId, '+441110001');
    assert.deepEqual(d.sipHeaders, {
      'P-Preferred-Identity': '"John White" <sip:+441110001@trunk1.example.com>',
      'Remote-Party-ID': '"John White" <sip:+441110001@trunk1.example.com>;party=calling;screen=no;privacy=off',
      'X-P-Asserted-Identity': '"John White" <sip:+441110001@trunk1.example.com>',
    });
    assert.ok(rules(d).includes('headers.identity'));
  });

  it('when identity headers are built, then a raw P-Asserted-Identity is never emitted (Twilio refuses it, 13252)', () => {
    const d = assertOk(resolveCallerId(makeInput({ callerId: { sendIdentityHeaders: true } })));
    assert.ok(!Object.keys(d.sipHeaders).some((h) => h.toLowerCase() === 'p-asserted-identity'));
  });

  it('when the name has quotes and backslashes, then the display name is a valid quoted-string', () => {
    const d = assertOk(resolveCallerId(makeInput({ name: 'Jo "JJ" \\ White', callerId: { sendIdentityHeaders: true } })));
    assert.equal(d.sipHeaders['P-Preferred-Identity'], `"Jo \\"JJ\\" \\\\ White" <sip:${PUBLIC_NUMBER}@trunk1.example.com>`);
  });

  it('when there is no name, then the identity is a bare URI', () => {
    const d = assertOk(resolveCallerId(makeInput({ name: '', callerId: { sendIdentityHeaders: true } })));
    assert.equal(d.sipHeaders['P-Preferred-Identity'], `<sip:${PUBLIC_NUMBER}@trunk1.example.com>`);
  });

  it('when the SIP channel has no domain, then a tel: URI is used', () => {
    const route = { ...SIP1, sipDomain: null };
    const d = assertOk(resolveCallerId(makeInput({ route, channels: [route], callerId: { sendIdentityHeaders: true } })));
    assert.equal(d.sipHeaders['P-Preferred-Identity'], `"John White" <tel:${PUBLIC_NUMBER}>`);
  });

  it('when the call is internal, then no identity headers are added', () => {
    const d = assertOk(resolveCallerId(makeInput({ publicCall: false, callerId: { sendIdentityHeaders: true } })));
    assert.deepEqual(d.sipHeaders, {});
    assert.ok(rules(d).includes('headers.skipped-internal-call'));
  });

  it('when sendIdentityHeaders is off, then no headers are added on a SIP route', () => {
    const d = assertOk(resolveCallerId(makeInput({})));
    assert.deepEqual(d.sipHeaders, {});
    assert.equal(d.sipCallerId, PUBLIC_NUMBER);
    assert.ok(rules(d).includes('headers.disabled'));
  });

  it('when the route is Twilio PSTN, then no headers are added and there is no sipCallerId', () => {
    const d = assertOk(resolveCallerId(makeInput({ route: TW1, callerId: { sendIdentityHeaders: true } })));
    assert.deepEqual(d.sipHeaders, {});
    assert.equal(d.sipCallerId, undefined);
    assert.ok(rules(d).includes('headers.not-sip-route'));
  });

  it('when the name would push the header part over 1023 characters, then the name is left out and the call proceeds', () => {
    const d = assertOk(resolveCallerId(makeInput({ callerId: { sendIdentityHeaders: true, name: { mode: 'user', value: 'N'.repeat(400) } } })));
    assert.ok(rules(d).includes('headers.name-dropped-too-long'));
    assert.equal(d.sipHeaders['P-Preferred-Identity'], `<sip:${PUBLIC_NUMBER}@trunk1.example.com>`);
  });

  it('when even the number alone is too long for the header part, then the call is refused with a clear reason', () => {
    const d = assertRefused(resolveCallerId(makeInput({ callerId: { sendIdentityHeaders: true, number: { mode: 'user', value: '1'.repeat(400) } } })));
    assert.equal(d.reason, 'sip-headers-too-long');
    assert.match(d.message, /1023.*21227/);
  });
});
