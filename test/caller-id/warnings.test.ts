import assert from 'node:assert/strict';
import { callerIdWarnings, type CallerIdChannel, type CallerIdExtension, type ExtensionCallerIdSettings } from '../../src/caller-id';
import { ALL_CHANNELS, CLIENT_NUMBERS, makeExtension, OTHER_CLIENT_NUMBER, PUBLIC_NUMBER, SIP1, SIP2, TW1, TW2 } from './fixtures';

const ext = (callerId: Partial<ExtensionCallerIdSettings>, publicNumber: string | null = PUBLIC_NUMBER): CallerIdExtension =>
  makeExtension(callerId, publicNumber, 'John White', 'e');

describe('caller ID configuration warnings', () => {
  const cases: { name: string; extension: CallerIdExtension; channels?: CallerIdChannel[]; expect: RegExp[] }[] = [
    { name: 'when the configuration is sound, then there is no warning', extension: ext({ numbers: ['+441110001'] }), expect: [] },
    {
      name: 'when hide is set and the client has Twilio routes, then it warns that those calls will be refused',
      extension: ext({ hide: true }),
      expect: [/hidden.*Twilio #1, Twilio #2.*refused/],
    },
    { name: 'when hide is set and every route is SIP, then there is no warning', extension: ext({ hide: true }), channels: [SIP1, SIP2], expect: [] },
    {
      name: 'when a user number is not a number of a Twilio channel of the client, then it warns about the fallback',
      extension: ext({ number: { mode: 'user', value: '5551234' } }),
      expect: [/5551234 is not a number of a Twilio channel.*13214/],
    },
    {
      name: 'when a user number is a Twilio number of the client, then there is no warning',
      extension: ext({ number: { mode: 'user', value: '+33100001' } }),
      expect: [],
    },
    {
      name: "when the number mode is equipment, then Twilio routes do not warn (the callback leg allows the caller's phone)",
      extension: ext({ number: { mode: 'equipment' } }),
      expect: [],
    },
    {
      name: 'when an assigned caller ID is not a number of the client, then it warns that it is never presented',
      extension: ext({ numbers: [OTHER_CLIENT_NUMBER, '+441110001'] }),
      expect: [new RegExp(`\\${OTHER_CLIENT_NUMBER}.*never presented`)],
    },
    {
      name: 'when the default is not a number of the client, then it warns',
      extension: ext({ defaultNumber: OTHER_CLIENT_NUMBER }),
      expect: [/default caller ID .* never presented/],
    },
    {
      name: 'when identity headers are on and no SIP channel routes calls, then it warns',
      extension: ext({ sendIdentityHeaders: true }),
      channels: [TW1, TW2],
      expect: [/only sent on SIP routes/],
    },
    {
      name: 'when nothing can be presented on a Twilio route, then it warns that calls routed there will be refused',
      extension: ext({ numbers: ['+441110001'] }, '+441110002'),
      expect: [/channel Twilio #1: calls routed there will be refused/, /channel Twilio #2: calls routed there will be refused/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const warnings = callerIdWarnings(c.extension, CLIENT_NUMBERS, c.channels ?? ALL_CHANNELS);
      assert.equal(warnings.length, c.expect.length, JSON.stringify(warnings, null, 2));
      for (const re of c.expect)
        assert.ok(
          warnings.some((w) => re.test(w)),
          `${re} not in ${JSON.stringify(warnings)}`,
        );
    });
  }
});
