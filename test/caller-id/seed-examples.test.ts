import assert from 'node:assert/strict';
import { resolveCallerId, type CallerIdChannel } from '../../src/caller-id';
import { assertOk, channel, makeInput, rules } from './fixtures';

// The three examples of the seed's "CallerID management" section, verbatim (short numbers compared as
// opaque strings), on both channel types: the seed predates Twilio, and the rules must hold on either.
for (const type of ['sip', 'twilio'] as const) {
  describe(`seed examples (Resource #1 and #2 are ${type} channels)`, () => {
    const r1: CallerIdChannel = channel('res1', 'Resource #1', type, ['+44']);
    const r2: CallerIdChannel = channel('res2', 'Resource #2', type, ['+1']);
    const channels = [r1, r2];

    it('example 1: when 1123, 345876 and 2854478 of Resource #1 are all assigned, then the callee sees one of the three', () => {
      const clientNumbers = ['1123', '345876', '2854478'].map((number) => ({ number, channelId: 'res1' }));
      const seen = new Set<string>();
      for (const r of [0, 0.2, 0.34, 0.5, 0.67, 0.99]) {
        const d = assertOk(
          resolveCallerId(makeInput({ channels, route: r1, clientNumbers, publicNumber: null, callerId: { numbers: ['1123', '345876', '2854478'] }, random: () => r })),
        );
        assert.ok(['1123', '345876', '2854478'].includes(d.number ?? ''), `unexpected ${d.number}`);
        assert.ok(rules(d).includes('number.server.random-pick'));
        seen.add(d.number ?? '');
      }
      assert.equal(seen.size, 3, 'every one of the three can be picked');
    });

    it('example 2: when 2255 (Resource #1) and 6987560 (Resource #2) are assigned and Resource #1 routes, then the callee sees 2255', () => {
      const clientNumbers = [
        { number: '2255', channelId: 'res1' },
        { number: '6987560', channelId: 'res2' },
      ];
      for (const r of [0, 0.5, 0.999]) {
        const d = assertOk(resolveCallerId(makeInput({ channels, route: r1, clientNumbers, publicNumber: null, callerId: { numbers: ['2255', '6987560'] }, random: () => r })));
        assert.equal(d.number, '2255');
        assert.ok(rules(d).includes('number.server.routing-channel'));
        assert.ok(rules(d).includes('number.server.other-channels-ignored'));
      }
    });

    it('example 3: when Resource #1 has no public number and the default 3689 belongs to Resource #2, then the callee sees 3689', () => {
      const clientNumbers = [{ number: '3689', channelId: 'res2' }];
      const d = assertOk(resolveCallerId(makeInput({ channels, route: r1, clientNumbers, publicNumber: null, callerId: { numbers: ['3689'], defaultNumber: '3689' } })));
      assert.equal(d.number, '3689');
      assert.ok(rules(d).includes('number.server.default'));
    });

    it('example 3 variant: when the default 3689 is not even assigned to the extension, then it is still used', () => {
      const clientNumbers = [{ number: '3689', channelId: 'res2' }];
      const d = assertOk(resolveCallerId(makeInput({ channels, route: r1, clientNumbers, publicNumber: null, callerId: { numbers: [], defaultNumber: '3689' } })));
      assert.equal(d.number, '3689');
      assert.ok(rules(d).includes('number.server.default'));
    });
  });
}
