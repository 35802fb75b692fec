import assert from 'node:assert/strict';
import { resolveCallerId } from '../../src/caller-id';
import { assertOk, assertRefused, CALLER_PHONE, makeInput, OTHER_CLIENT_NUMBER, type Overrides, PUBLIC_NUMBER, rules, SIP2, TW1, TW2 } from './fixtures';

interface Case {
  name: string;
  given: Overrides;
  /** Expected number, or 'refused'. */
  expect: string | 'refused';
  /** Rule codes that must appear in the trace, in this order (other steps may sit between them). */
  trace: string[];
}

// Fixture numbers: SIP1 (r1) +441110001/2, SIP2 (r2) +12120001/2, TW1 (t1) +33100001/2,
// TW2 (t2) +49300001/2; the extension's public number is +49300002 (TW2); the caller's phone +15550100.
const cases: Case[] = [
  // --- server mode, rules 1-3 and the public-number fallback
  {
    name: 'when several assigned numbers belong to the routing channel, then one of them is picked',
    given: { callerId: { numbers: ['+441110001', '+441110002'] }, random: () => 0.7 },
    expect: '+441110002',
    trace: ['route.channel', 'number.server.random-pick'],
  },
  {
    name: 'when exactly one assigned number belongs to the routing channel, then it is presented without a random pick',
    given: {
      callerId: { numbers: ['+441110001'] },
      random: () => {
        throw new Error('random must not be used');
      },
    },
    expect: '+441110001',
    trace: ['number.server.routing-channel'],
  },
  {
    name: 'when assigned numbers belong to several channels, then only those of the routing channel are used',
    given: { callerId: { numbers: ['+12120001', '+441110001', '+12120002'] }, random: () => 0.99 },
    expect: '+441110001',
    trace: ['number.server.other-channels-ignored', 'number.server.routing-channel'],
  },
  {
    name: 'when assigned numbers belong to the routing channel and a default is set, then the routing channel wins over the default',
    given: { callerId: { numbers: ['+441110001'], defaultNumber: '+12120001' } },
    expect: '+441110001',
    trace: ['number.server.routing-channel'],
  },
  {
    name: 'when no assigned number belongs to the routing channel, then the default is used even though it is on another channel',
    given: { callerId: { numbers: ['+12120001'], defaultNumber: '+12120002' } },
    expect: '+12120002',
    trace: ['number.server.none-on-routing-channel', 'number.server.default'],
  },
  {
    name: 'when no assigned number belongs to the routing channel and no default is set, then the extension public number is used',
    given: { callerId: { numbers: ['+12120001'] } },
    expect: PUBLIC_NUMBER,
    trace: ['number.server.none-on-routing-channel', 'number.no-default', 'number.server.extension-public-number'],
  },
  {
    name: 'when nothing is assigned and no default is set, then the extension public number is used',
    given: {},
    expect: PUBLIC_NUMBER,
    trace: ['number.server.no-assigned', 'number.no-default', 'number.server.extension-public-number'],
  },
  {
    name: 'when nothing is assigned, no default and no public number, then the call is refused',
    given: { publicNumber: null },
    expect: 'refused',
    trace: ['number.server.no-assigned', 'number.no-default', 'number.no-public-number', 'number.none-presentable'],
  },
  {
    name: 'when an assigned number is not a number of the client, then it is ignored and never picked',
    given: { callerId: { numbers: [OTHER_CLIENT_NUMBER, '+441110001'] }, random: () => 0.99 },
    expect: '+441110001',
    trace: ['number.server.assigned-not-client-number', 'number.server.routing-channel'],
  },
  {
    name: 'when the default is not a number of the client, then it is skipped and the public number is used',
    given: { callerId: { defaultNumber: OTHER_CLIENT_NUMBER } },
    expect: PUBLIC_NUMBER,
    trace: ['number.rejected.not-client-number', 'number.server.extension-public-number'],
  },
  {
    name: 'when the public number is not a number of the client, then it is not presented either',
    given: { publicNumber: OTHER_CLIENT_NUMBER },
    expect: 'refused',
    trace: ['number.rejected.not-client-number', 'number.none-presentable'],
  },
  {
    name: 'when an assigned number is listed twice, then it is not picked twice as often (picks are over distinct numbers)',
    given: { callerId: { numbers: ['+441110001', '+441110001', '+441110002'] }, random: () => 0.5 },
    expect: '+441110002',
    trace: ['number.server.random-pick'],
  },
  // --- equipment and user modes
  {
    name: 'when the number mode is equipment on a SIP route, then the caller phone is presented although it is not a client number',
    given: { callerId: { number: { mode: 'equipment' } } },
    expect: CALLER_PHONE,
    trace: ['number.equipment'],
  },
  {
    name: 'when the number mode is equipment on a Twilio callback leg, then the caller phone is allowed (it is the called number)',
    given: { route: TW1, callerId: { number: { mode: 'equipment' } } },
    expect: CALLER_PHONE,
    trace: ['number.equipment'],
  },
  {
    name: 'when the number mode is equipment and the phone number is unknown, then the default is used',
    given: { callerId: { number: { mode: 'equipment' }, defaultNumber: '+12120001' }, equipment: { number: null, name: null } },
    expect: '+12120001',
    trace: ['number.equipment.unknown', 'number.equipment.fallback-default'],
  },
  {
    name: 'when the number mode is equipment, the phone number is unknown and no default is set, then the public number is used',
    given: { callerId: { number: { mode: 'equipment' } }, equipment: { number: null, name: null } },
    expect: PUBLIC_NUMBER,
    trace: ['number.equipment.unknown', 'number.no-default', 'number.equipment.fallback-public-number'],
  },
  {
    name: 'when the number mode is user on a SIP route, then the custom value is presented even if it is not a client number',
    given: { callerId: { number: { mode: 'user', value: '5551234' }, numbers: ['+441110001'] } },
    expect: '5551234',
    trace: ['number.user'],
  },
  {
    name: 'when the number mode is user without a value, then the default is used',
    given: { callerId: { number: { mode: 'user' }, defaultNumber: '+441110002' } },
    expect: '+441110002',
    trace: ['number.user.missing-value', 'number.user.fallback-default'],
  },
  {
    name: 'when the number mode is user and the value is a Twilio number of the client, then it is presented on a Twilio route',
    given: { route: TW1, callerId: { number: { mode: 'user', value: '+49300001' } } },
    expect: '+49300001',
    trace: ['number.user'],
  },
  // --- the Twilio 13214 constraint and its fallbacks
  {
    name: 'when a user number is not a Twilio number on a Twilio route, then the default caller ID is used instead',
    given: { route: TW1, callerId: { number: { mode: 'user', value: '5551234' }, defaultNumber: '+33100002' } },
    expect: '+33100002',
    trace: ['number.twilio-constraint.rejected', 'number.twilio-constraint.fallback-default'],
  },
  {
    name: 'when a user number and the default are not Twilio numbers on a Twilio route, then the extension public number is used',
    given: { route: TW1, callerId: { number: { mode: 'user', value: '5551234' }, defaultNumber: '+12120001' } },
    expect: PUBLIC_NUMBER,
    trace: ['number.twilio-constraint.rejected', 'number.twilio-constraint.rejected', 'number.twilio-constraint.fallback-public-number'],
  },
  {
    name: 'when no candidate is a Twilio number on a Twilio route, then the call is refused rather than fail with 13214',
    given: { route: TW1, publicNumber: '+441110001', callerId: { number: { mode: 'user', value: '5551234' }, defaultNumber: '+12120001' } },
    expect: 'refused',
    trace: ['number.twilio-constraint.rejected', 'number.twilio-constraint.rejected', 'number.twilio-constraint.rejected', 'number.none-presentable'],
  },
  {
    name: 'when server mode falls to a default on a SIP channel on a Twilio route, then the public number is used',
    given: { route: TW1, callerId: { numbers: ['+12120001'], defaultNumber: '+12120002' } },
    expect: PUBLIC_NUMBER,
    trace: ['number.server.none-on-routing-channel', 'number.twilio-constraint.rejected', 'number.twilio-constraint.fallback-public-number'],
  },
  {
    name: 'when server mode falls to a default on another Twilio channel on a Twilio route, then the default is allowed',
    given: { route: TW1, callerId: { numbers: [], defaultNumber: '+49300001' } },
    expect: '+49300001',
    trace: ['number.server.default'],
  },
  {
    name: 'when the number mode is equipment on a Twilio route that is not the callback leg, then the default is used',
    given: { route: TW1, leg: {}, callerId: { number: { mode: 'equipment' }, defaultNumber: '+33100001' } },
    expect: '+33100001',
    trace: ['number.twilio-constraint.rejected', 'number.twilio-constraint.fallback-default'],
  },
  {
    name: 'when a user number is the calling number of the leg on a Twilio route, then Twilio accepts it',
    given: { route: TW2, leg: { callingNumber: '+15550199' }, callerId: { number: { mode: 'user', value: '+15550199' } } },
    expect: '+15550199',
    trace: ['number.user'],
  },
  {
    name: 'when the default was already rejected as the user number, then it is not tried twice',
    given: { route: TW1, callerId: { number: { mode: 'user', value: '+12120001' }, defaultNumber: '+12120001' } },
    expect: PUBLIC_NUMBER,
    trace: ['number.twilio-constraint.rejected', 'number.default-already-rejected', 'number.twilio-constraint.fallback-public-number'],
  },
  {
    name: 'when routed by a SIP channel, then the Twilio constraint does not apply to server-mode defaults',
    given: { route: SIP2, callerId: { numbers: [], defaultNumber: '+33100001' } },
    expect: '+33100001',
    trace: ['number.server.default'],
  },
  {
    name: 'when numbers are short seed-style strings, then they are compared exactly (no normalisation)',
    given: {
      route: TW2,
      clientNumbers: [
        { number: '2255', channelId: 't2' },
        { number: '+2255', channelId: 't1' },
      ],
      publicNumber: null,
      callerId: { numbers: ['+2255', '2255'] },
    },
    expect: '2255',
    trace: ['number.server.routing-channel'],
  },
];

function assertSubsequence(actual: string[], expected: string[]): void {
  let i = 0;
  for (const rule of actual) if (rule === expected[i]) i++;
  assert.equal(i, expected.length, `trace ${JSON.stringify(actual)} does not contain ${JSON.stringify(expected)} in order`);
}

describe('caller ID number rules', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = resolveCallerId(makeInput(c.given));
      if (c.expect === 'refused') {
        const r = assertRefused(d);
        assert.equal(r.reason, 'no-presentable-number');
        assert.match(r.message, /refused/);
      } else {
        assert.equal(assertOk(d).number, c.expect);
      }
      assertSubsequence(rules(d), c.trace);
      for (const step of d.trace) assert.ok(step.detail.length > 10, `step ${step.rule} needs a sentence`);
    });
  }

  it('when a fallback is taken, then the trace sentence says why', () => {
    const d = resolveCallerId(makeInput({ route: TW1, callerId: { number: { mode: 'user', value: '5551234' }, defaultNumber: '+33100002' } }));
    const rejected = d.trace.find((s) => s.rule === 'number.twilio-constraint.rejected');
    assert.match(rejected?.detail ?? '', /5551234.*13214/s);
    const fallback = d.trace.find((s) => s.rule === 'number.twilio-constraint.fallback-default');
    assert.match(fallback?.detail ?? '', /\+33100002.*cannot be presented on this Twilio route/s);
  });

  it('when the random source returns a value outside [0, 1), then the engine throws instead of biasing the pick', () => {
    for (const bad of [1, -0.1, Number.NaN, 2]) {
      assert.throws(() => resolveCallerId(makeInput({ callerId: { numbers: ['+441110001', '+441110002'] }, random: () => bad })), RangeError);
    }
  });

  it('when the same input and random value are given twice, then the decision is the same (pure)', () => {
    const input = makeInput({ callerId: { numbers: ['+441110001', '+441110002'] }, random: () => 0.3 });
    assert.deepEqual(resolveCallerId(input), resolveCallerId(input));
  });
});
