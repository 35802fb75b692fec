import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { findTwilioReferenceDir } from './reference-dir';
import { parseTwiml, type TwimlNode } from './twiml-parse';
import { structuralErrors } from './twiml-structure';
import { validateTwiml } from './twiml-validator';

/**
 * Plays Twilio's part for one call leg: fetches TwiML (form POSTs signed like Twilio signs them),
 * validates every document, and executes the verbs the service uses. Time and keys are injected, so
 * tests run a 60 s dial in a millisecond and a phone in a terminal runs in real time.
 */

// ------------------------------------------------------------------------------------------ time

export interface SimClock {
  /** Milliseconds since some origin. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: SimClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))),
};

/** Virtual time: every sleep returns at once (after a macrotask) and moves `now` forward. */
export function fastClock(start = Date.now()): SimClock & { elapsedMs(): number } {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += Math.max(0, ms);
      await new Promise((r) => setImmediate(r));
    },
    elapsedMs: () => t - start,
  };
}

// ------------------------------------------------------------------------------------------ keys

/** The caller's keypad, asked once per key while a <Gather> listens. */
export interface KeySource {
  /** Called when a <Gather> starts listening (index counts the Gathers of the call from 0). */
  startGather?(index: number, g: { timeoutS: number; finishOnKey: string; numDigits: number | null }): void;
  /** The next key pressed within timeoutMs, or null when the timeout passes first. */
  nextKey(timeoutMs: number, clock: SimClock): Promise<string | null>;
  /** The Gather stopped listening (keys typed for it and not taken are dropped). */
  endGather?(): void;
  /**
   * A key pressed while a prompt inside the Gather plays (within promptMs), which cuts the prompt short
   * as Twilio does; null when none. Sources without it let every prompt play to its end.
   */
  keyDuringPrompt?(promptMs: number, clock: SimClock): Promise<string | null>;
}

/**
 * Scripted keys, one entry per <Gather> in order: "1234#" presses the keys at once; "." waits one
 * second before the next key ("12......3": 6 s between 2 and 3); "" presses nothing.
 */
/**
 * Keys typed by a script, one entry per Gather: "1234#" after the Gather's prompts, "." a 1 s wait,
 * and a leading "!" presses them while the prompts play (barge-in: the first key cuts the prompt short).
 */
export function scriptedKeys(entries: string[]): KeySource & { remaining(): string[] } {
  const queue = [...entries];
  let current: Array<{ key: string; delayMs: number }> = [];
  let duringPrompt = false;
  const take = async (timeoutMs: number, clock: SimClock): Promise<string | null> => {
    const next = current[0];
    if (!next || next.delayMs > timeoutMs) {
      if (next) next.delayMs -= timeoutMs;
      await clock.sleep(timeoutMs);
      return null;
    }
    current.shift();
    if (next.delayMs > 0) await clock.sleep(next.delayMs);
    return next.key;
  };
  return {
    startGather() {
      let entry = queue.shift() ?? '';
      duringPrompt = entry.startsWith('!');
      if (duringPrompt) entry = entry.slice(1);
      current = [];
      let wait = 0;
      for (const ch of entry) {
        if (ch === '.') wait += 1000;
        else if (/^[0-9*#]$/.test(ch)) {
          current.push({ key: ch, delayMs: wait });
          wait = 0;
        } else if (ch !== ' ') throw new Error(`script: "${ch}" is not a key (0-9 * # or . for a 1 s wait)`);
      }
    },
    nextKey: take,
    async keyDuringPrompt(promptMs, clock) {
      if (!duringPrompt) {
        await clock.sleep(promptMs);
        return null;
      }
      return take(promptMs, clock);
    },
    endGather() {
      current = [];
    },
    remaining: () => [...queue],
  };
}

/** Keys pushed by a terminal (or anything else), taken in real time by nextKey. */
export class KeyQueue implements KeySource {
  private keys: string[] = [];
  private waiter: ((k: string | null) => void) | null = null;
  listening = false;

  push(key: string): void {
    if (!this.listening) return; // Twilio hears keys only while a Gather listens
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(key);
    } else this.keys.push(key);
  }
  startGather(): void {
    this.keys = [];
    this.listening = true;
  }
  endGather(): void {
    this.listening = false;
    this.keys = [];
  }
  /** A person typing over a prompt: the first key cuts it short. */
  keyDuringPrompt(promptMs: number): Promise<string | null> {
    return this.nextKey(promptMs);
  }
  nextKey(timeoutMs: number): Promise<string | null> {
    const k = this.keys.shift();
    if (k !== undefined) return Promise.resolve(k);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (key) => {
        clearTimeout(t);
        resolve(key);
      };
    });
  }
}

// ------------------------------------------------------------------------------------------ dialed party

export type PartyBehaviour =
  | { outcome: 'answer'; answerAfterS: number; talkS: number }
  | { outcome: 'busy' }
  | { outcome: 'no-answer' }
  | { outcome: 'failed' };

export interface DialTargetInfo {
  kind: 'Number' | 'Sip';
  address: string;
  callerId: string | null;
}

export type DialedParty = (target: DialTargetInfo, index: number) => PartyBehaviour;

export const answeringParty =
  (answerAfterS = 3, talkS = 20): DialedParty =>
  () => ({ outcome: 'answer', answerAfterS, talkS });

// ------------------------------------------------------------------------------------------ events

export type SimEvent =
  | { type: 'request'; url: string; method: string; params: Record<string, string>; purpose: string }
  | { type: 'response'; url: string; status: number; ms: number }
  | { type: 'say'; text: string; language?: string; voice?: string; loop: number }
  | { type: 'play'; url: string; loop: number }
  /** A key pressed during a prompt of a Gather cut it short (the key is the Gather's first digit). */
  | { type: 'prompt-cut'; index: number; key: string }
  | { type: 'play-digits'; digits: string }
  | { type: 'pause'; seconds: number }
  | { type: 'gather-start'; index: number; timeoutS: number; finishOnKey: string; numDigits: number | null; action: string | null }
  | { type: 'gather-end'; index: number; digits: string; reason: 'finishOnKey' | 'numDigits' | 'timeout' }
  | { type: 'gather-fallthrough'; index: number }
  | { type: 'dial-start'; target: DialTargetInfo; timeLimit: number; timeout: number }
  | { type: 'dial-answered'; afterS: number }
  | { type: 'dial-end'; status: string; duration: number; dialCallSid: string; cutByTimeLimit: boolean }
  | { type: 'redirect'; url: string }
  | { type: 'reject'; reason: string }
  | { type: 'hangup' }
  | { type: 'end-of-document' }
  | { type: 'warning'; message: string }
  | { type: 'error'; message: string };

export type CallOutcome = 'rejected' | 'hangup' | 'completed' | 'error';

export interface CallResult {
  outcome: CallOutcome;
  /** Reject's reason (rejected, busy) or the error message. */
  reason?: string;
  /** Seconds from answer to end (0 when never answered), as Twilio's CallDuration. */
  durationS: number;
  answered: boolean;
  events: SimEvent[];
  dials: Array<{ status: string; duration: number; dialCallSid: string; cutByTimeLimit: boolean }>;
}

export class TwimlError extends Error {}

// ------------------------------------------------------------------------------------------ the interpreter

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
  validation?: 'auto' | 'schema' | 'structure';
  referenceDir?: string;
  onEvent?: (e: SimEvent) => void;
  /** Ends a runaway document loop (Redirect to itself...). */
  maxRequests?: number;
  /** Twilio gives up on a webhook after 15 s (error 11205). */
  requestTimeoutMs?: number;
}

const SCHEMA_ABSENT_WARNING = 'Twilio reference dir not found: TwiML is checked by our own rules only, not against the XSD';
let warnedSchemaAbsent = false;

export const newCallSid = (): string => `CA${randomBytes(16).toString('hex')}`;

export class TwimlInterpreter {
  private readonly clock: SimClock;
  private readonly events: SimEvent[] = [];
  private readonly dials: CallResult['dials'] = [];
  private status: string;
  private answeredAt: number | null = null;
  private requests = 0;
  private gathers = 0;
  private dialCount = 0;
  private first = true;
  private readonly referenceDir: string | null;
  private readonly validation: 'auto' | 'schema' | 'structure';

  constructor(private readonly leg: CallLeg, private readonly opts: InterpreterOptions) {
    this.clock = opts.clock ?? realClock;
    this.status = leg.initialStatus;
    const mode = opts.validation ?? 'auto';
    this.validation = mode;
    this.referenceDir = mode === 'structure' ? null : (opts.referenceDir ?? findTwilioReferenceDir());
    if (mode === 'schema' && !this.referenceDir) throw new Error('validation "schema" asked but the Twilio reference dir is absent');
    if (mode === 'auto' && !this.referenceDir && !warnedSchemaAbsent) {
      warnedSchemaAbsent = true;
      this.emit({ type: 'warning', message: SCHEMA_ABSENT_WARNING });
    }
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

  private answer(): void {
    if (this.answeredAt === null) {
      this.answeredAt = this.clock.now();
      this.status = 'in-progress';
    }
  }

  // ------------------------------------------------------------------ HTTP

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

  private async fetchTwiml(url: string, method: 'POST' | 'GET', extra: Record<string, string>, purpose: string): Promise<TwimlNode> {
    if (++this.requests > (this.opts.maxRequests ?? 100)) throw new TwimlError('too many TwiML requests in one call (a loop?)');
    checkUrl(url, `${purpose} URL`);
    const params = { ...this.baseParams(), ...extra };
    let target = url;
    let body: string | undefined;
    let signature: string;
    if (method === 'GET') {
      const u = new URL(url);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      target = u.toString();
      signature = twilio.getExpectedTwilioSignature(this.opts.authToken, target, {});
    } else {
      body = new URLSearchParams(params).toString();
      signature = twilio.getExpectedTwilioSignature(this.opts.authToken, url, params);
    }
    this.emit({ type: 'request', url, method, params, purpose });
    const started = Date.now();
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers: {
          'X-Twilio-Signature': signature,
          'User-Agent': 'TwilioProxy/1.1',
          Accept: '*/*',
          ...(body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new Error(`${method} ${url} failed (Twilio error 11200/11205): ${(err as Error).message}`);
    }
    const text = await res.text();
    this.emit({ type: 'response', url, status: res.status, ms: Date.now() - started });
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${url} answered HTTP ${res.status} (Twilio error 11200): ${text.slice(0, 200)}`);
    return this.validate(text, url);
  }

  private async validate(xml: string, url: string): Promise<TwimlNode> {
    let tree: TwimlNode;
    try {
      tree = parseTwiml(xml);
    } catch (err) {
      throw new TwimlError(`invalid TwiML from ${url} (Twilio error 12100): ${(err as Error).message}`);
    }
    const errors = structuralErrors(tree);
    if (this.validation !== 'structure') {
      // Our semantic rules (unreachable verbs, absolute URLs...) always; Twilio's XSD when it is there.
      const r = await validateTwiml(xml, this.referenceDir ? { referenceDir: this.referenceDir } : {});
      errors.push(...r.errors.filter((e) => !errors.includes(e)));
    }
    if (errors.length > 0) throw new TwimlError(`invalid TwiML from ${url} (Twilio error 12200):\n  - ${errors.join('\n  - ')}\n${xml}`);
    return tree;
  }

  // ------------------------------------------------------------------ verbs

  private async execute(doc: TwimlNode): Promise<
    | { end: CallOutcome; reason?: string }
    | { url: string; method: 'POST' | 'GET'; params: Record<string, string>; purpose: string }
  > {
    for (const verb of doc.children) {
      if (verb.name !== 'Reject') this.answer();
      switch (verb.name) {
        case 'Reject': {
          const reason = verb.attrs.reason ?? 'rejected';
          this.emit({ type: 'reject', reason });
          return { end: 'rejected', reason };
        }
        case 'Say':
        case 'Play':
        case 'Pause':
          await this.media(verb);
          break;
        case 'Gather': {
          const r = await this.gather(verb);
          if (r) return r;
          break;
        }
        case 'Dial': {
          const r = await this.dial(verb);
          if (r) return r;
          break;
        }
        case 'Redirect': {
          const url = verb.text;
          this.emit({ type: 'redirect', url });
          return { url, method: methodOf(verb), params: {}, purpose: 'redirect' };
        }
        case 'Hangup':
          this.emit({ type: 'hangup' });
          return { end: 'hangup' };
        default:
          throw new TwimlError(`<${verb.name}> is not simulated`);
      }
    }
    this.emit({ type: 'end-of-document' });
    return { end: 'completed' };
  }

  /** Say, Play or Pause; with `keys` (inside a Gather) a key press stops it and is returned. */
  private async media(v: TwimlNode, keys?: KeySource): Promise<string | null> {
    const loop = v.attrs.loop !== undefined ? Number(v.attrs.loop) : 1;
    let ms: number;
    if (v.name === 'Say') {
      this.emit({ type: 'say', text: v.text, loop, ...(v.attrs.language ? { language: v.attrs.language } : {}), ...(v.attrs.voice ? { voice: v.attrs.voice } : {}) });
      // Roughly the time Twilio's voice takes to speak it: 15 characters a second.
      ms = Math.ceil(v.text.length / 15) * 1000 * Math.max(1, loop);
    } else if (v.name === 'Play') {
      if (v.attrs.digits !== undefined) this.emit({ type: 'play-digits', digits: v.attrs.digits });
      else this.emit({ type: 'play', url: v.text, loop });
      ms = 1000;
    } else {
      const seconds = v.attrs.length !== undefined ? Number(v.attrs.length) : 1;
      this.emit({ type: 'pause', seconds });
      ms = seconds * 1000;
    }
    if (keys?.keyDuringPrompt) return keys.keyDuringPrompt(ms, this.clock);
    await this.clock.sleep(ms);
    return null;
  }

  private async gather(g: TwimlNode) {
    const index = this.gathers++;
    const input = g.attrs.input ?? 'dtmf';
    if (!input.split(/\s+/).includes('dtmf')) throw new TwimlError(`<Gather input="${input}">: only dtmf is simulated`);
    const timeoutS = g.attrs.timeout !== undefined ? Number(g.attrs.timeout) : 5;
    const finishOnKey = g.attrs.finishOnKey ?? '#';
    const numDigits = g.attrs.numDigits !== undefined ? Number(g.attrs.numDigits) : null;
    const action = g.attrs.action ?? null;
    const keys = this.opts.keys;
    keys?.startGather?.(index, { timeoutS, finishOnKey, numDigits });
    // Nested prompts play first; a key pressed during one cuts it (and the rest) short and counts.
    let first: string | null = null;
    for (const child of g.children) {
      first = await this.media(child, keys);
      if (first !== null) {
        this.emit({ type: 'prompt-cut', index, key: first });
        break;
      }
    }
    this.emit({ type: 'gather-start', index, timeoutS, finishOnKey, numDigits, action });
    let digits = '';
    let reason: 'finishOnKey' | 'numDigits' | 'timeout' = 'timeout';
    for (;;) {
      const pressed = first;
      first = null;
      const key = pressed ?? (keys ? await keys.nextKey(timeoutS * 1000, this.clock) : (await this.clock.sleep(timeoutS * 1000), null));
      if (key === null) break;
      if (finishOnKey !== '' && key === finishOnKey) {
        reason = 'finishOnKey';
        break;
      }
      digits += key;
      if (numDigits !== null && digits.length >= numDigits) {
        reason = 'numDigits';
        break;
      }
    }
    keys?.endGather?.();
    this.emit({ type: 'gather-end', index, digits, reason });
    const empty = digits === '';
    if (empty && g.attrs.actionOnEmptyResult !== 'true') {
      // Twilio: no input before the timeout falls through to the next verb.
      this.emit({ type: 'gather-fallthrough', index });
      return null;
    }
    if (!action) {
      // Without action Twilio posts to the current document's URL; the service always gives one.
      throw new TwimlError('<Gather> without action: the simulator needs an absolute action URL');
    }
    const params: Record<string, string> = empty ? {} : { Digits: digits };
    return { url: action, method: methodOf(g), params, purpose: `gather ${index}` };
  }

  private async dial(d: TwimlNode) {
    const index = this.dialCount++;
    const nouns = d.children.filter((c) => c.name === 'Number' || c.name === 'Sip');
    const noun = nouns[0];
    const target: DialTargetInfo = noun
      ? { kind: noun.name as 'Number' | 'Sip', address: noun.text, callerId: d.attrs.callerId ?? null }
      : { kind: 'Number', address: d.text, callerId: d.attrs.callerId ?? null };
    if (!target.address) throw new TwimlError('<Dial> has nothing to dial');
    if (d.children.some((c) => c.name !== 'Number' && c.name !== 'Sip')) {
      throw new TwimlError(`<Dial> with <${d.children.find((c) => c.name !== 'Number' && c.name !== 'Sip')!.name}> is not simulated`);
    }
    const timeLimit = d.attrs.timeLimit !== undefined ? Number(d.attrs.timeLimit) : 14400;
    const timeout = d.attrs.timeout !== undefined ? Number(d.attrs.timeout) : 30;
    this.emit({ type: 'dial-start', target, timeLimit, timeout });
    const behaviour = (this.opts.party ?? answeringParty())(target, index);
    const dialCallSid = newCallSid();
    let status: string;
    let duration = 0;
    let cut = false;
    switch (behaviour.outcome) {
      case 'answer':
        if (behaviour.answerAfterS >= timeout) {
          await this.clock.sleep(timeout * 1000);
          status = 'no-answer';
        } else {
          await this.clock.sleep(behaviour.answerAfterS * 1000);
          this.emit({ type: 'dial-answered', afterS: behaviour.answerAfterS });
          cut = behaviour.talkS > timeLimit;
          duration = Math.min(behaviour.talkS, timeLimit);
          await this.clock.sleep(duration * 1000);
          status = 'completed';
        }
        break;
      case 'busy':
        await this.clock.sleep(2000);
        status = 'busy';
        break;
      case 'no-answer':
        await this.clock.sleep(timeout * 1000);
        status = 'no-answer';
        break;
      case 'failed':
        await this.clock.sleep(500);
        status = 'failed';
        break;
    }
    const result = { status, duration, dialCallSid, cutByTimeLimit: cut };
    this.dials.push(result);
    this.emit({ type: 'dial-end', ...result });
    if (!d.attrs.action) return null;
    const params: Record<string, string> = {
      DialCallStatus: status,
      DialCallSid: dialCallSid,
      DialCallDuration: String(duration),
      DialBridged: String(status === 'completed'),
    };
    if (target.kind === 'Sip') params.DialSipResponseCode = status === 'completed' ? '200' : status === 'busy' ? '486' : status === 'no-answer' ? '487' : '500';
    return { url: d.attrs.action, method: methodOf(d), params, purpose: `dial ${index} action` };
  }
}

function methodOf(n: TwimlNode): 'POST' | 'GET' {
  return n.attrs.method === 'GET' ? 'GET' : 'POST';
}

function checkUrl(url: string, where: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TwimlError(`${where} "${url}" is not absolute (relative URLs are refused by the simulator)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TwimlError(`${where} "${url}" is not http(s)`);
}
