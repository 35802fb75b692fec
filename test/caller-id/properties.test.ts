import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mulberry32, resolveCallerId, type CallerIdChannel, type CallerIdInput, type CallerIdMode, type ClientNumber } from '../../src/caller-id';

// Numbers of the extension's client, numbers of another client (never presentable by the server rules),
// and free numbers standing for the caller's phone or an operator's custom value.
const OWN = ['100', '101', '102', '103', '104', '105', '106', '107'];
const OTHER_CLIENT = ['900', '901', '902'];
const FREE = ['555', '556'];
const ANY = [...OWN, ...OTHER_CLIENT, ...FREE];
const NAMES = ['John White', 'Acme', 'Jo "JJ"', 'Zoë'];

const modeArb = fc.constantFrom<CallerIdMode>('server', 'equipment', 'user');
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

const inputArb: fc.Arbitrary<CallerIdInput> = fc
  .record({
    channelTypes: fc.array(fc.constantFrom<'twilio' | 'sip'>('twilio', 'sip'), { minLength: 1, maxLength: 4 }),
    ownChannel: fc.array(fc.nat(3), { minLength: OWN.length, maxLength: OWN.length }),
    ownPresent: fc.array(fc.boolean(), { minLength: OWN.length, maxLength: OWN.length }),
    routeIndex: fc.nat(3),
    numbers: fc.uniqueArray(fc.constantFrom(...ANY), { maxLength: 6 }).chain((xs) => fc.shuffledSubarray([...xs, ...xs])),
    defaultNumber: optional(fc.constantFrom(...ANY)),
    publicNumber: optional(fc.constantFrom(...ANY)),
    numberMode: modeArb,
    numberValue: optional(fc.constantFrom(...ANY)),
    nameMode: modeArb,
    nameValue: optional(fc.constantFrom(...NAMES)),
    contactName: fc.constantFrom(...NAMES),
    hide: fc.boolean(),
    sendIdentityHeaders: fc.boolean(),
    equipmentNumber: optional(fc.constantFrom(...ANY)),
    equipmentName: optional(fc.constantFrom(...NAMES)),
    calledIsEquipment: fc.boolean(),
    callingNumber: optional(fc.constantFrom(...ANY)),
    publicCall: fc.boolean(),
    seed: fc.integer(),
  })
  .map((g) => {
    const channels: CallerIdChannel[] = g.channelTypes.map((type, i) => ({
      id: `c${i}`,
      name: `Channel ${i}`,
      type,
      prefixes: [`+${i}`],
      sipDomain: type === 'sip' ? `sip${i}.example.com` : null,
    }));
    const clientNumbers: ClientNumber[] = OWN.flatMap((number, i) => (g.ownPresent[i] ? [{ number, channelId: `c${(g.ownChannel[i] ?? 0) % channels.length}` }] : []));
    const route = channels[g.routeIndex % channels.length] as CallerIdChannel;
    return {
      extension: {
        id: 'e',
        name: g.contactName,
        publicNumber: g.publicNumber,
        callerId: {
          name: { mode: g.nameMode, value: g.nameValue },
          number: { mode: g.numberMode, value: g.numberValue },
          numbers: g.numbers,
          defaultNumber: g.defaultNumber,
          hide: g.hide,
          sendIdentityHeaders: g.sendIdentityHeaders,
        },
      },
      clientNumbers,
      channels,
      routingChannel: route,
      equipment: { number: g.equipmentNumber, name: g.equipmentName },
      leg: { calledNumber: g.calledIsEquipment ? g.equipmentNumber : null, callingNumber: g.callingNumber },
      destination: `${route.prefixes[0]}123456`,
      publicCall: g.publicCall,
      random: mulberry32(g.seed),
    } satisfies CallerIdInput;
  });

/**
 * An independent, deliberately naive reading of issue 7: the ordered candidate sets, each filtered by
 * "only the client's numbers" (server rules) and by the Twilio 13214 rule. The first non-empty set is
 * what the engine may present; none means a refusal.
 */
function allowedNumbers(input: CallerIdInput): Set<string> | null {
  const own = new Set(input.clientNumbers.map((n) => n.number));
  const twilioIds = new Set(input.channels.filter((c) => c.type === 'twilio').map((c) => c.id));
  const twilioOwn = new Set(input.clientNumbers.filter((n) => twilioIds.has(n.channelId)).map((n) => n.number));
  const onRoute = new Set(input.clientNumbers.filter((n) => n.channelId === input.routingChannel.id).map((n) => n.number));
  const leg = [input.leg?.calledNumber, input.leg?.callingNumber].filter((n): n is string => !!n);
  const onTwilio = input.routingChannel.type === 'twilio';
  const passes = (n: string, mustBeOwn: boolean) => (!mustBeOwn || own.has(n)) && (!onTwilio || twilioOwn.has(n) || leg.includes(n));

  const s = input.extension.callerId;
  const sets: { numbers: string[]; mustBeOwn: boolean }[] = [];
  if (s.number.mode === 'server') sets.push({ numbers: s.numbers.filter((n) => own.has(n) && onRoute.has(n)), mustBeOwn: true });
  if (s.number.mode === 'equipment' && input.equipment.number) sets.push({ numbers: [input.equipment.number], mustBeOwn: false });
  if (s.number.mode === 'user' && s.number.value) sets.push({ numbers: [s.number.value], mustBeOwn: false });
  if (s.defaultNumber) sets.push({ numbers: [s.defaultNumber], mustBeOwn: true });
  if (input.extension.publicNumber) sets.push({ numbers: [input.extension.publicNumber], mustBeOwn: true });
  for (const set of sets) {
    const ok = set.numbers.filter((n) => passes(n, set.mustBeOwn));
    if (ok.length > 0) return new Set(ok);
  }
  return null;
}

describe('caller ID engine properties over generated configurations', () => {
  it("when any configuration is resolved, then the number is one the rules allow, never another client's, and nothing leaks when hidden", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = resolveCallerId(input);
        const s = input.extension.callerId;
        const onSip = input.routingChannel.type === 'sip';
        assert.ok(d.trace.length > 0 && d.trace.every((t) => t.rule !== '' && t.detail !== ''));

        if (s.hide) {
          if (!onSip) {
            assert.equal(d.outcome, 'refused');
            return;
          }
          assert.equal(d.outcome, 'ok');
          if (d.outcome !== 'ok') return;
          assert.equal(d.number, null);
          assert.equal(d.name, null);
          assert.equal(d.sipCallerId, 'anonymous');
          const headerText = JSON.stringify(d.sipHeaders);
          for (const secret of [...ANY, ...NAMES]) assert.ok(!headerText.includes(secret), `hidden call leaks ${secret}`);
          assert.deepEqual(Object.keys(d.sipHeaders).sort(), ['Remote-Party-ID', 'X-Privacy']);
          return;
        }

        const allowed = allowedNumbers(input);
        if (allowed === null) {
          assert.equal(d.outcome, 'refused');
          if (d.outcome === 'refused') assert.equal(d.reason, 'no-presentable-number');
          return;
        }
        assert.equal(d.outcome, 'ok', JSON.stringify(d.trace));
        if (d.outcome !== 'ok') return;
        assert.ok(d.number !== null && allowed.has(d.number), `presented ${d.number}, allowed ${[...allowed]}`);

        // Never another client's number, unless it is the caller's own phone or the operator's explicit value.
        if (OTHER_CLIENT.includes(d.number)) {
          const explicit = (s.number.mode === 'user' && s.number.value === d.number) || (s.number.mode === 'equipment' && input.equipment.number === d.number);
          assert.ok(explicit, `another client's number ${d.number} presented by the server rules`);
        }

        const wantHeaders = onSip && s.sendIdentityHeaders && input.publicCall !== false;
        assert.equal(Object.keys(d.sipHeaders).length > 0, wantHeaders);
        if (wantHeaders) assert.ok(d.sipHeaders['P-Preferred-Identity']?.includes(d.number));
        assert.equal(d.sipCallerId, onSip ? d.number : undefined);
        assert.ok(!Object.keys(d.sipHeaders).some((h) => /^(p-asserted-identity|privacy)$/i.test(h)));
      }),
      { numRuns: 5000, seed: 424242 },
    );
  });

  it('when a configuration is resolved with an unseeded run, then the same properties hold (fresh cases each run)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = resolveCallerId(input);
        if (input.extension.callerId.hide) {
          if (d.outcome === 'ok') assert.equal(d.number, null);
          return;
        }
        const allowed = allowedNumbers(input);
        if (d.outcome === 'ok') assert.ok(allowed?.has(d.number ?? ''), `presented ${d.number}`);
        else assert.equal(allowed, null);
      }),
      { numRuns: 2000 },
    );
  });
});
