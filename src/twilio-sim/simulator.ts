import twilio from 'twilio';
import type { FormParams } from './openapi-check';
import { newCallSid, type CallResult, type SimEvent } from './call-result';
import { answeringParty, type DialedParty } from './dialed-party';
import { TwimlInterpreter } from './interpreter';
import type { KeySource } from './keypads';
import { phoneAnswers, type PhoneAnswer } from './phone-answer';
import { one } from './rest-format';
import { TwilioRestStandin } from './rest-standin';
import { realClock, type SimClock } from './sim-clock';

/**
 * The local Twilio: a REST stand-in the service calls (calls.create rings the phone), the phone's own
 * inbound call to the service number, status callbacks as Twilio posts them, and the TwiML interpreter
 * for both legs.
 */

export type { PhoneAnswer } from './phone-answer';

export type SimNotice =
  | { type: 'ringing'; leg: 'inbound'; to: string }
  | { type: 'incoming-call'; leg: 'callback'; from: string; to: string; callSid: string }
  | { type: 'status-callback'; leg: 'inbound' | 'callback'; url: string; params: Record<string, string>; httpStatus: number }
  | { type: 'call-event'; leg: 'inbound' | 'callback'; event: SimEvent }
  | { type: 'leg-ended'; leg: 'inbound' | 'callback'; result: CallResult }
  | { type: 'warning'; message: string };

export interface LocalTwilioOptions {
  accountSid: string;
  authToken: string;
  /** Port of the REST stand-in (0: any). */
  port?: number;
  clock?: SimClock;
  keys?: KeySource;
  party?: DialedParty;
  phone?: PhoneAnswer;
  onNotice?: (n: SimNotice) => void;
  referenceDir?: string;
}

export interface CallbackLeg {
  callSid: string;
  params: FormParams;
  status: string;
  result: CallResult | null;
  done: Promise<void>;
}

const many = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : v.split(/[ ,]+/));

export class LocalTwilio {
  readonly standin: TwilioRestStandin;
  readonly callbacks: CallbackLeg[] = [];
  readonly statusCallbacks: Array<{ leg: 'inbound' | 'callback'; url: string; params: Record<string, string>; httpStatus: number }> = [];
  private readonly clock: SimClock;
  private callbackWaiters: Array<(leg: CallbackLeg) => void> = [];
  baseUrl = '';

  constructor(private readonly opts: LocalTwilioOptions) {
    this.clock = opts.clock ?? realClock;
    this.standin = new TwilioRestStandin({
      accountSid: opts.accountSid,
      authToken: opts.authToken,
      checkOpenApi: 'auto',
      ...(opts.referenceDir ? { referenceDir: opts.referenceDir } : {}),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      onCallCreated: (c) => this.ringPhone(c.sid, c.params),
    });
  }

  async start(): Promise<string> {
    this.baseUrl = await this.standin.start();
    if (!this.standin.openApiChecked) {
      this.notice({ type: 'warning', message: "Twilio's OpenAPI description not found (devDependency @twilio/cli-core): REST requests are not checked against it" });
    }
    return this.baseUrl;
  }

  stop(): Promise<void> {
    return this.standin.stop();
  }

  private notice(n: SimNotice): void {
    this.opts.onNotice?.(n);
  }

  /** The next callback (calls.create) the service places, or null after timeoutMs (real time). */
  nextCallback(timeoutMs: number, after = this.callbacks.length): Promise<CallbackLeg | null> {
    const existing = this.callbacks[after];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.callbackWaiters = this.callbackWaiters.filter((w) => w !== waiter);
        resolve(null);
      }, timeoutMs);
      const waiter = (leg: CallbackLeg) => {
        clearTimeout(t);
        resolve(leg);
      };
      this.callbackWaiters.push(waiter);
    });
  }

  // ------------------------------------------------------------------ inbound leg

  /** The phone dials `to` at the service: Twilio's incoming-call webhook, then the number's status callback. */
  async callService(p: { serviceUrl: string; from: string; to: string; callSid?: string }): Promise<CallResult> {
    const callSid = p.callSid ?? newCallSid();
    const base = p.serviceUrl.replace(/\/+$/, '');
    this.notice({ type: 'ringing', leg: 'inbound', to: p.to });
    const interp = new TwimlInterpreter(
      { callSid, accountSid: this.opts.accountSid, from: p.from, to: p.to, direction: 'inbound', initialStatus: 'ringing' },
      this.interpreterOptions('inbound'),
    );
    const result = await interp.run(`${base}/voice/incoming`);
    this.notice({ type: 'leg-ended', leg: 'inbound', result });
    // Twilio's number status callback: a rejected call ends busy (reason busy) or no-answer.
    const final = result.outcome === 'rejected' ? (result.reason === 'busy' ? 'busy' : 'no-answer') : result.outcome === 'error' ? 'failed' : 'completed';
    await this.postStatus('inbound', `${base}/voice/status`, {
      CallSid: callSid,
      AccountSid: this.opts.accountSid,
      From: p.from,
      To: p.to,
      CallStatus: final,
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
      CallDuration: String(result.durationS),
      CallbackSource: 'call-progress-events',
      SequenceNumber: '0',
      Timestamp: new Date(this.clock.now()).toUTCString().replace('GMT', '+0000'),
    });
    return result;
  }

  // ------------------------------------------------------------------ callback leg

  private ringPhone(callSid: string, params: FormParams): void {
    let finish!: () => void;
    const leg: CallbackLeg = { callSid, params, status: 'queued', result: null, done: new Promise<void>((r) => (finish = r)) };
    this.callbacks.push(leg);
    const waiters = this.callbackWaiters;
    this.callbackWaiters = [];
    for (const w of waiters) w(leg);
    // Twilio starts the call after answering the REST request.
    setTimeout(() => {
      this.runCallback(leg)
        .catch((err) => this.notice({ type: 'warning', message: `callback leg failed: ${(err as Error).message}` }))
        .finally(finish);
    }, 20);
  }

  /**
   * The callback leg's status callbacks, as Twilio posts them: only the events asked for in
   * StatusCallbackEvent (completed by default), numbered in order.
   */
  private callbackStatus(leg: CallbackLeg) {
    const p = leg.params;
    const from = one(p.From) ?? '';
    const to = one(p.To) ?? '';
    const statusUrl = one(p.StatusCallback);
    const events = new Set(many(p.StatusCallbackEvent));
    if (statusUrl && events.size === 0) events.add('completed'); // Twilio's default
    let seq = 0;
    const status = async (callStatus: string, extra: Record<string, string> = {}) => {
      leg.status = callStatus;
      const event = callStatus === 'in-progress' ? 'answered' : ['busy', 'no-answer', 'failed', 'canceled'].includes(callStatus) ? 'completed' : callStatus;
      if (!statusUrl || !events.has(event)) return;
      await this.postStatus('callback', statusUrl, {
        CallSid: leg.callSid,
        AccountSid: this.opts.accountSid,
        From: from,
        To: to,
        CallStatus: callStatus,
        Direction: 'outbound-api',
        ApiVersion: '2010-04-01',
        CallbackSource: 'call-progress-events',
        SequenceNumber: String(seq++),
        Timestamp: new Date(this.clock.now()).toUTCString().replace('GMT', '+0000'),
        ...extra,
      });
    };
    const end = async (callStatus: 'completed' | 'busy' | 'no-answer' | 'failed', duration: number) => {
      this.standin.setCallState(leg.callSid, { status: callStatus, duration });
      await status(callStatus, { CallDuration: String(duration) });
    };
    return { status, end };
  }

  private async runCallback(leg: CallbackLeg): Promise<void> {
    const p = leg.params;
    const from = one(p.From) ?? '';
    const to = one(p.To) ?? '';
    const url = one(p.Url);
    const ringTimeoutS = Number(one(p.Timeout) ?? 60);
    const { status, end } = this.callbackStatus(leg);

    await status('initiated');
    this.standin.setCallState(leg.callSid, { status: 'ringing' });
    await status('ringing');
    this.notice({ type: 'incoming-call', leg: 'callback', from, to, callSid: leg.callSid });

    const answered = await phoneAnswers(this.opts.phone ?? { kind: 'auto', afterS: 1 }, this.clock, from, ringTimeoutS);
    if (answered !== 'answered') {
      await end(answered, 0);
      return;
    }
    if (!url) {
      await end('failed', 0);
      return;
    }
    const amd = one(p.MachineDetection);
    this.standin.setCallState(leg.callSid, { status: 'in-progress', ...(amd ? { answeredBy: 'human' } : {}) });
    await status('in-progress', amd ? { AnsweredBy: 'human' } : {});
    const interp = new TwimlInterpreter(
      {
        callSid: leg.callSid,
        accountSid: this.opts.accountSid,
        from,
        to,
        direction: 'outbound-api',
        initialStatus: 'in-progress',
        ...(amd ? { firstRequestExtra: { AnsweredBy: 'human' } } : {}),
      },
      this.interpreterOptions('callback'),
    );
    const method = one(p.Method) === 'GET' ? 'GET' : 'POST';
    const result = await interp.run(url, method);
    leg.result = result;
    this.notice({ type: 'leg-ended', leg: 'callback', result });
    await end(result.outcome === 'error' ? 'failed' : 'completed', result.durationS);
  }

  private interpreterOptions(leg: 'inbound' | 'callback') {
    return {
      authToken: this.opts.authToken,
      clock: this.clock,
      ...(this.opts.keys ? { keys: this.opts.keys } : {}),
      party: this.opts.party ?? answeringParty(),
      ...(this.opts.referenceDir ? { referenceDir: this.opts.referenceDir } : {}),
      onEvent: (event: SimEvent) => this.notice({ type: 'call-event', leg, event }),
    };
  }

  private async postStatus(leg: 'inbound' | 'callback', url: string, params: Record<string, string>): Promise<void> {
    let httpStatus = 0;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
          'X-Twilio-Signature': twilio.getExpectedTwilioSignature(this.opts.authToken, url, params),
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(15_000),
      });
      httpStatus = res.status;
      await res.text();
    } catch (err) {
      this.notice({ type: 'warning', message: `status callback to ${url} failed: ${(err as Error).message}` });
    }
    const rec = { leg, url, params, httpStatus };
    this.statusCallbacks.push(rec);
    this.notice({ type: 'status-callback', ...rec });
  }
}
