import type {
  CallerIdChannel,
  CallerIdExtension,
  CallerIdDecision,
  CallerIdInput,
  CallerIdAccepted,
  CallerIdRefused,
  ExtensionCallerIdSettings,
  ClientNumber,
} from '../../src/caller-id';
import assert from 'node:assert/strict';

export function channel(id: string, name: string, type: 'twilio' | 'sip', prefixes: string[] = [], sipDomain?: string): CallerIdChannel {
  return { id, name, type, prefixes, ...(sipDomain ? { sipDomain } : {}) };
}

export const SIP1 = channel('r1', 'Resource #1', 'sip', ['+44'], 'trunk1.example.com');
export const SIP2 = channel('r2', 'Resource #2', 'sip', ['+1'], 'trunk2.example.com');
export const TW1 = channel('t1', 'Twilio #1', 'twilio', ['+33']);
export const TW2 = channel('t2', 'Twilio #2', 'twilio', ['+49']);
export const ALL_CHANNELS = [SIP1, SIP2, TW1, TW2];

/** Numbers of the client used across tests: two per channel, plus the extension's public number on TW2. */
export const CLIENT_NUMBERS: ClientNumber[] = [
  { number: '+441110001', channelId: 'r1' },
  { number: '+441110002', channelId: 'r1' },
  { number: '+12120001', channelId: 'r2' },
  { number: '+12120002', channelId: 'r2' },
  { number: '+33100001', channelId: 't1' },
  { number: '+33100002', channelId: 't1' },
  { number: '+49300001', channelId: 't2' },
  { number: '+49300002', channelId: 't2' },
];
export const PUBLIC_NUMBER = '+49300002';
export const CALLER_PHONE = '+15550100';
export const OTHER_CLIENT_NUMBER = '+99900000';

export interface Overrides {
  callerId?: Partial<ExtensionCallerIdSettings>;
  name?: string;
  publicNumber?: string | null;
  clientNumbers?: ClientNumber[];
  channels?: CallerIdChannel[];
  route?: CallerIdChannel;
  equipment?: { number: string | null; name: string | null };
  leg?: CallerIdInput['leg'];
  destination?: string;
  publicCall?: boolean;
  random?: () => number;
}

/** An extension with every caller ID setting at its default, changed by `callerId`. */
export function makeExtension(callerId: Partial<ExtensionCallerIdSettings> = {}, publicNumber: string | null = PUBLIC_NUMBER, name = 'John White', id = 'ext1'): CallerIdExtension {
  return {
    id,
    name,
    publicNumber,
    callerId: {
      name: { mode: 'server' },
      number: { mode: 'server' },
      numbers: [],
      defaultNumber: null,
      hide: false,
      sendIdentityHeaders: false,
      ...callerId,
    },
  };
}

export function makeInput(o: Overrides = {}): CallerIdInput {
  const route = o.route ?? SIP1;
  return {
    extension: makeExtension(o.callerId, o.publicNumber === undefined ? PUBLIC_NUMBER : o.publicNumber, o.name ?? 'John White'),
    clientNumbers: o.clientNumbers ?? CLIENT_NUMBERS,
    channels: o.channels ?? ALL_CHANNELS,
    routingChannel: route,
    equipment: o.equipment ?? { number: CALLER_PHONE, name: 'Alice Caller' },
    leg: o.leg ?? { calledNumber: CALLER_PHONE, callingNumber: PUBLIC_NUMBER },
    destination: o.destination ?? `${route.prefixes[0] ?? '+0'}2079460000`,
    ...(o.publicCall === undefined ? {} : { publicCall: o.publicCall }),
    random: o.random ?? (() => 0),
  };
}

export function assertOk(d: CallerIdDecision): CallerIdAccepted {
  assert.equal(d.outcome, 'ok', `expected ok, got ${JSON.stringify(d, null, 2)}`);
  return d as CallerIdAccepted;
}

export function assertRefused(d: CallerIdDecision): CallerIdRefused {
  assert.equal(d.outcome, 'refused', `expected refused, got ${JSON.stringify(d, null, 2)}`);
  return d as CallerIdRefused;
}

export function rules(d: CallerIdDecision): string[] {
  return d.trace.map((s) => s.rule);
}

/** A random source that yields the given values in turn (then repeats the last). */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] as number;
}
