import type { CallResult } from './call-result';
import type { LocalTwilio, SimNotice } from './simulator';
import { describeLegCharge, fetchLegCharges, sessionIdOf } from './leg-charges';
import { describeEvent } from './transcript';

/**
 * One phone session: call the service number, hear the ring and the reject, wait for the callback,
 * run it to its end. Both the terminal phone and the tests use it.
 */
export type ScenarioOutcome = 'completed' | 'rejected' | 'answered' | 'callback-busy' | 'callback-no-answer' | 'callback-failed' | 'error';

export interface ScenarioResult {
  outcome: ScenarioOutcome;
  inbound: CallResult;
  callback: CallResult | null;
  /** The lines the scenario itself added (the notices go through the simulator's onNotice). */
  transcript: string[];
  /** Error messages seen on either leg (invalid TwiML, HTTP errors...). */
  errors: string[];
}

/** Formats a simulator notice as transcript line(s); null for noise. */
export function describeNotice(n: SimNotice, opts: { emoji?: boolean } = {}): string | null {
  const tag = (leg: string) => (leg === 'inbound' ? '[call]    ' : '[callback]');
  switch (n.type) {
    case 'ringing':
      return `${tag('inbound')} calling ${n.to}: ringing...`;
    case 'incoming-call':
      return `${tag('callback')} 📞 incoming call from ${n.from}`;
    case 'status-callback': {
      const p = n.params;
      return `${tag(n.leg)} status callback: ${p.CallStatus}${p.CallDuration !== undefined && /completed|busy|no-answer|failed/.test(p.CallStatus ?? '') ? ` CallDuration=${p.CallDuration}` : ''}${p.AnsweredBy ? ` AnsweredBy=${p.AnsweredBy}` : ''} -> HTTP ${n.httpStatus}`;
    }
    case 'call-event': {
      const line = describeEvent(n.event, opts);
      return line === null ? null : `${tag(n.leg)} ${line}`;
    }
    case 'leg-ended':
      return `${tag(n.leg)} ended: ${n.result.outcome}${n.result.reason && n.result.outcome !== 'error' ? ` (${n.result.reason})` : ''}, duration ${n.result.durationS} s`;
    case 'warning':
      return `warning: ${n.message}`;
  }
}

export async function runScenario(
  sim: LocalTwilio,
  p: { serviceUrl: string; from: string; to: string; callbackWaitMs: number; apiKey?: string | undefined },
  onLine: (line: string) => void,
): Promise<ScenarioResult> {
  const transcript: string[] = [];
  const say = (l: string) => {
    transcript.push(l);
    onLine(l);
  };
  const errors: string[] = [];
  const before = sim.callbacks.length;
  const inbound = await sim.callService(p);
  if (inbound.outcome === 'error') errors.push(inbound.reason ?? 'error');
  for (const d of inbound.dials) say(`[call]     charge basis, dial leg: DialCallDuration=${d.duration} s (${d.status}); the service bills from it`);
  if (inbound.outcome !== 'rejected') {
    return { outcome: inbound.outcome === 'error' ? 'error' : 'answered', inbound, callback: null, transcript, errors };
  }
  const { outcome, callback } = await playCallback(sim, { ...p, before }, say, errors);
  return { outcome, inbound, callback, transcript, errors };
}

/**
 * What follows a callback request, however it was made (a ring, an SMS, the API): wait for the
 * callback placed after `before`, run it to its end, then show what it was billed on and charged.
 * `waitLabel` tags the lines ("[call]", "[sms]"...). Errors of the leg are added to `errors`.
 */
export async function playCallback(
  sim: LocalTwilio,
  p: { serviceUrl: string; callbackWaitMs: number; apiKey?: string | undefined; before: number; waitLabel?: string },
  say: (line: string) => void,
  errors: string[],
): Promise<{ outcome: ScenarioOutcome; callback: CallResult | null }> {
  const tag = (p.waitLabel ?? '[call]').padEnd(10);
  say(`${tag} waiting up to ${Math.round(p.callbackWaitMs / 1000)} s for the callback...`);
  const leg = await sim.nextCallback(p.callbackWaitMs, p.before);
  if (!leg) {
    say(`${tag} no callback.`);
    return { outcome: 'rejected', callback: null };
  }
  await leg.done;
  const callback = leg.result;
  if (!callback) return { outcome: leg.status === 'busy' ? 'callback-busy' : leg.status === 'no-answer' ? 'callback-no-answer' : 'callback-failed', callback };
  if (callback.outcome === 'error') errors.push(callback.reason ?? 'error');
  // Both legs are billed (issue 11): the callback leg from its own CallDuration, each dial from its DialCallDuration.
  say(`[callback] charge basis, callback leg: CallDuration=${callback.durationS} s; the service bills it at the callback target's rate`);
  for (const d of callback.dials) say(`[callback] charge basis, dial leg: DialCallDuration=${d.duration} s (${d.status}); the service bills from it`);
  // The callback asked for is the first one placed after the request (nextCallback's `before`).
  const url = sim.callbacks[p.before]?.params.Url;
  const sessionId = sessionIdOf(Array.isArray(url) ? url.at(-1) : url);
  if (sessionId && p.apiKey) {
    try {
      for (const c of await fetchLegCharges(p.serviceUrl, p.apiKey, sessionId)) say(describeLegCharge(c, null));
    } catch (err) {
      say(`[callback] the charges could not be read: ${(err as Error).message}`);
    }
  } else {
    say('[callback] (give --api-key, or set ADMIN_API_KEY, to see what each leg was charged)');
  }
  return { outcome: callback.outcome === 'error' ? 'error' : 'completed', callback };
}
