import type { CallOutcome, DialRecord, SimEvent } from '../call-result';
import type { DialedParty } from '../dialed-party';
import type { KeySource } from '../keypads';
import type { SimClock } from '../sim-clock';
import type { TwimlNode } from '../twiml-parse';

/** What a verb may use of the call it plays in; the interpreter provides it. */
export interface VerbContext {
  readonly clock: SimClock;
  readonly keys: KeySource | undefined;
  readonly party: DialedParty;
  emit(e: SimEvent): void;
  /** Counts the call's Gathers (and Dials) from 0. */
  nextGatherIndex(): number;
  nextDialIndex(): number;
  recordDial(dial: DialRecord): void;
}

/** What a verb leaves the call with: the end, a new document to fetch, or (null) the next verb. */
export type VerbStep = { end: CallOutcome; reason?: string } | { url: string; method: 'POST' | 'GET'; params: Record<string, string>; purpose: string };

export type Verb = (ctx: VerbContext, node: TwimlNode) => Promise<VerbStep | null>;

export function methodOf(n: TwimlNode): 'POST' | 'GET' {
  return n.attrs.method === 'GET' ? 'GET' : 'POST';
}
