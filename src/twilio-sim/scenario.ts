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
  let callback: CallResult | null = null;
  let outcome: ScenarioOutcome;
  if (inbound.outcome !== 'rejected') {
    outcome = inbound.outcome === 'error' ? 'error' : 'answered';
  } else {
    say(`[call]     waiting up to ${Math.round(p.callbackWaitMs / 1000)} s for the callback...`);
    const leg = await sim.nextCallback(p.callbackWaitMs, before);
    if (!leg) {
      say('[call]     no callback.');
      outcome = 'rejected';
    } else {
      await leg.done;
      callback = leg.result;
      if (callback?.outcome === 'error') errors.push(callback.reason ?? 'error');
      if (callback) outcome = callback.outcome === 'error' ? 'error' : 'completed';
      else outcome = leg.status === 'busy' ? 'callback-busy' : leg.status === 'no-answer' ? 'callback-no-answer' : 'callback-failed';
    }
  }
  // Both legs are billed (issue 11): the callback leg from its own CallDuration, each dial from its DialCallDuration.
  if (callback) say(`[callback] charge basis, callback leg: CallDuration=${callback.durationS} s; the service bills it at the callback target's rate`);
  for (const d of [...inbound.dials, ...(callback?.dials ?? [])]) {
    say(`[callback] charge basis, dial leg: DialCallDuration=${d.duration} s (${d.status}); the service bills from it`);
  }
  // This scenario's callback is the first one placed after it began (nextCallback's `before`).
  const url = sim.callbacks[before]?.params.Url;
  const sessionId = sessionIdOf(Array.isArray(url) ? url.at(-1) : url);
  if (callback && sessionId && p.apiKey) {
    try {
      for (const c of await fetchLegCharges(p.serviceUrl, p.apiKey, sessionId)) say(describeLegCharge(c, null));
    } catch (err) {
      say(`[callback] the charges could not be read: ${(err as Error).message}`);
    }
  } else if (callback) {
    say('[callback] (give --api-key, or set ADMIN_API_KEY, to see what each leg was charged)');
  }
  return { outcome, inbound, callback, transcript, errors };
}
