import { listAll, type ServiceApi, httpServiceApi } from '../twilio/connect-numbers';
import type { CallResult } from './call-result';
import { playCallback, type ScenarioOutcome } from './scenario';
import type { LocalTwilio } from './simulator';
import { sendSms, type SmsReply } from './sms-sender';

/**
 * The phone asking for a callback without ringing: by SMS to the service number (the service's
 * messaging webhook), or through the service's API (`POST /api/callbacks`, as a web page or a CRM
 * would). Either way it then waits for the callback and plays it as a rung one.
 */

export interface RequestScenarioResult {
  /** 'rejected': no callback came (refused, or not within the wait). */
  outcome: ScenarioOutcome;
  /** The SMS reply's texts (SMS only). */
  reply: string[];
  /** The call record's id the API answered (API only). */
  callRecordId: string | null;
  callback: CallResult | null;
  transcript: string[];
  errors: string[];
}

interface Common {
  serviceUrl: string;
  from: string;
  to: string;
  callbackWaitMs: number;
  apiKey?: string | undefined;
}

function recorder(onLine: (line: string) => void) {
  const transcript: string[] = [];
  const say = (l: string) => {
    transcript.push(l);
    onLine(l);
  };
  return { transcript, say, errors: [] as string[] };
}

/** Sends `body` by SMS from `from` to `to`, shows the reply, and plays the callback if one comes. */
export async function runSmsScenario(
  sim: LocalTwilio,
  p: Common & { body: string; accountSid: string; authToken: string; messageSid?: string },
  onLine: (line: string) => void,
): Promise<RequestScenarioResult & { sms: SmsReply }> {
  const { transcript, say, errors } = recorder(onLine);
  const before = sim.callbacks.length;
  say(`[sms]      ${p.from} -> ${p.to}: "${p.body}"`);
  const sms = await sendSms({ ...p, ...(p.messageSid ? { messageSid: p.messageSid } : {}) });
  errors.push(...sms.errors);
  for (const e of sms.errors) say(`[sms]      error: ${e}`);
  for (const m of sms.messages) say(`[sms]      reply from ${p.to}: "${m}"`);
  if (sms.errors.length > 0) return { outcome: 'error', reply: sms.messages, callRecordId: null, callback: null, transcript, errors, sms };
  const { outcome, callback } = await playCallback(sim, { ...p, before, waitLabel: '[sms]' }, say, errors);
  return { outcome, reply: sms.messages, callRecordId: null, callback, transcript, errors, sms };
}

interface ServiceNumber {
  number: string;
  extensionId: string | null;
}

/** The extension the service number `to` rings back to, read through the API. */
async function extensionOf(api: ServiceApi, to: string): Promise<string | null> {
  const numbers = await listAll<ServiceNumber>(api, '/api/numbers');
  return numbers.find((n) => n.number === to)?.extensionId ?? null;
}

/**
 * Asks the service's API for a callback to `from` on the extension `to` rings back to, optionally to a
 * destination and at a time, then waits for it (past `at`, when given) and plays it.
 */
export async function runRequestScenario(
  sim: LocalTwilio,
  p: Common & { apiKey: string; destination?: string | undefined; at?: string | undefined; now?: () => number },
  onLine: (line: string) => void,
): Promise<RequestScenarioResult> {
  const { transcript, say, errors } = recorder(onLine);
  const none = (outcome: ScenarioOutcome): RequestScenarioResult => ({ outcome, reply: [], callRecordId: null, callback: null, transcript, errors });
  const before = sim.callbacks.length;
  const extensionId = await extensionOf(httpServiceApi(p.serviceUrl, p.apiKey), p.to);
  if (!extensionId) {
    errors.push(`${p.to} rings back to no extension (GET /api/numbers)`);
    say(`[api]      ${p.to} rings back to no extension: nothing to request`);
    return none('error');
  }
  const body = { extensionId, number: p.from, ...(p.destination ? { destination: p.destination } : {}), ...(p.at ? { at: p.at } : {}) };
  say(`[api]      POST /api/callbacks ${JSON.stringify(body)}`);
  const res = await fetch(`${p.serviceUrl.replace(/\/+$/, '')}/api/callbacks`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${p.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json().catch(() => ({}))) as { id?: string; error?: { code?: string; message?: string } };
  if (res.status !== 202) {
    say(`[api]      HTTP ${res.status}: ${answer.error?.code ?? ''} ${answer.error?.message ?? ''}`.trimEnd());
    // A 409 is the service refusing the callback (its reason code shown above): no call, not an error.
    if (res.status === 409) return none('rejected');
    errors.push(`POST /api/callbacks answered ${res.status}`);
    return none('error');
  }
  say(`[api]      HTTP 202: callback requested, call record ${answer.id}`);
  const now = p.now ?? Date.now;
  const untilDue = p.at ? Math.max(0, Date.parse(p.at) - now()) : 0;
  const { outcome, callback } = await playCallback(sim, { ...p, before, waitLabel: '[api]', callbackWaitMs: p.callbackWaitMs + untilDue }, say, errors);
  return { outcome, reply: [], callRecordId: answer.id ?? null, callback, transcript, errors };
}
