import { TwimlError, type CallOutcome, type CallResult, type DialRecord, type SimEvent } from './call-result';
import { answeringParty, type DialedParty } from './dialed-party';
import type { KeySource } from './keypads';
import { realClock, type SimClock } from './sim-clock';
import { TwimlFetcher, type ValidationMode } from './twiml-fetch';
import type { TwimlNode } from './twiml-parse';
import { hangup, redirect, reject } from './verbs/control';
import { dial } from './verbs/dial';
import { gather } from './verbs/gather';
import { media } from './verbs/media';
import type { Verb, VerbContext, VerbStep } from './verbs/verb-context';

/**
 * Plays Twilio's part for one call leg: fetches TwiML (form POSTs signed like Twilio signs them),
 * validates every document, and executes the verbs the service uses (one module each under verbs/).
 * Time and keys are injected, so tests run a 60 s dial in a millisecond and a phone in a terminal runs
 * in real time.
 */

// What callers of the simulator take from here, wherever it now lives.
export { realClock, fastClock, type SimClock } from './sim-clock';
export { scriptedKeys, KeyQueue, type KeySource } from './keypads';
export { answeringParty, type DialedParty, type DialTargetInfo, type PartyBehaviour } from './dialed-party';
export { newCallSid, TwimlError, type CallOutcome, type CallResult, type SimEvent } from './call-result';

export interface CallLeg {
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
  direction: 'inbound' | 'outbound-api' | 'outbound-dial';
  /** CallStatus on the first request: 'ringing' for an inbound call, 'in-progress' for an answered outbound call. */
  initialStatus: 'ringing' | 'in-progress';
  /** Sent on the first request only (e.g. AnsweredBy). */
  firstRequestExtra?: Record<string, string>;
}

export interface InterpreterOptions {
  authToken: string;
  clock?: SimClock;
  keys?: KeySource;
  party?: DialedParty;
  /** 'auto' (default): Twilio's schema when the reference dir exists, else structural checks with one warning. */
  validation?: ValidationMode;
  referenceDir?: string;
  onEvent?: (e: SimEvent) => void;
  /** Ends a runaway document loop (Redirect to itself...). */
  maxRequests?: number;
  /** Twilio gives up on a webhook after 15 s (error 11205). */
  requestTimeoutMs?: number;
}

/** The verbs the simulator plays; the schema they must follow is the validator's (twiml-structure.ts). */
const VERBS: Record<string, Verb> = {
  Reject: reject,
  Say: media,
  Play: media,
  Pause: media,
  Gather: gather,
  Dial: dial,
  Redirect: redirect,
  Hangup: hangup,
};

export class TwimlInterpreter {
  private readonly clock: SimClock;
  private readonly events: SimEvent[] = [];
  private readonly dials: DialRecord[] = [];
  private readonly fetcher: TwimlFetcher;
  private readonly verbs: VerbContext;
  private status: string;
  private answeredAt: number | null = null;
  private requests = 0;
  private first = true;

  constructor(
    private readonly leg: CallLeg,
    private readonly opts: InterpreterOptions,
  ) {
    this.clock = opts.clock ?? realClock;
    this.status = leg.initialStatus;
    const emit = (e: SimEvent) => this.emit(e);
    this.fetcher = new TwimlFetcher({
      authToken: opts.authToken,
      validation: opts.validation ?? 'auto',
      ...(opts.referenceDir !== undefined ? { referenceDir: opts.referenceDir } : {}),
      ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
      emit,
    });
    let gathers = 0;
    let dialCount = 0;
    this.verbs = {
      clock: this.clock,
      keys: opts.keys,
      party: opts.party ?? answeringParty(),
      emit,
      nextGatherIndex: () => gathers++,
      nextDialIndex: () => dialCount++,
      recordDial: (d) => this.dials.push(d),
    };
    if (leg.initialStatus === 'in-progress') this.answeredAt = this.clock.now();
  }

  /** Runs the call from `url` until it ends; never throws (errors end the call with outcome 'error'). */
  async run(url: string, method: 'POST' | 'GET' = 'POST'): Promise<CallResult> {
    try {
      let doc = await this.fetchTwiml(url, method, {}, 'answer');
      for (;;) {
        const next = await this.execute(doc);
        if ('end' in next) return this.finish(next.end, next.reason);
        doc = await this.fetchTwiml(next.url, next.method, next.params, next.purpose);
      }
    } catch (err) {
      const message = (err as Error).message;
      this.emit({ type: 'error', message });
      return this.finish('error', message);
    }
  }

  private finish(outcome: CallOutcome, reason?: string): CallResult {
    const durationS = this.answeredAt === null ? 0 : Math.ceil((this.clock.now() - this.answeredAt) / 1000);
    this.status = outcome === 'rejected' ? (reason === 'busy' ? 'busy' : 'no-answer') : 'completed';
    return { outcome, ...(reason ? { reason } : {}), durationS, answered: this.answeredAt !== null, events: this.events, dials: this.dials };
  }

  private emit(e: SimEvent): void {
    this.events.push(e);
    this.opts.onEvent?.(e);
  }

  /** Any verb but <Reject> answers the call (Twilio answers before it plays the first one). */
  private answer(): void {
    if (this.answeredAt === null) {
      this.answeredAt = this.clock.now();
      this.status = 'in-progress';
    }
  }

  /** The params Twilio sends on every request of the call, and the first request's extras. */
  private baseParams(): Record<string, string> {
    const p: Record<string, string> = {
      CallSid: this.leg.callSid,
      AccountSid: this.leg.accountSid,
      From: this.leg.from,
      To: this.leg.to,
      CallStatus: this.status,
      Direction: this.leg.direction,
      ApiVersion: '2010-04-01',
    };
    if (this.first && this.leg.firstRequestExtra) Object.assign(p, this.leg.firstRequestExtra);
    this.first = false;
    return p;
  }

  private fetchTwiml(url: string, method: 'POST' | 'GET', extra: Record<string, string>, purpose: string): Promise<TwimlNode> {
    if (++this.requests > (this.opts.maxRequests ?? 100)) throw new TwimlError('too many TwiML requests in one call (a loop?)');
    return this.fetcher.fetch(url, method, { ...this.baseParams(), ...extra }, purpose);
  }

  private async execute(doc: TwimlNode): Promise<VerbStep> {
    for (const node of doc.children) {
      if (node.name !== 'Reject') this.answer();
      const verb = VERBS[node.name];
      if (!verb) throw new TwimlError(`<${node.name}> is not simulated`);
      const step = await verb(this.verbs, node);
      if (step) return step;
    }
    this.emit({ type: 'end-of-document' });
    return { end: 'completed' };
  }
}
