import { randomBytes } from 'node:crypto';
import type { FormParams } from './openapi-check';

/** How Twilio's REST API 2010-04-01 writes things: sids, dates, errors, forms. */

export type Resource = Record<string, unknown>;

export const API = '/2010-04-01';

export type CallStatus = 'queued' | 'ringing' | 'in-progress' | 'canceled' | 'completed' | 'failed' | 'busy' | 'no-answer';

export const ENDED: ReadonlySet<string> = new Set(['canceled', 'completed', 'failed', 'busy', 'no-answer']);

export function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** RFC 2822 as Twilio writes it: "Tue, 31 Aug 2010 20:36:28 +0000". */
export function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

export function twilioError(status: number, code: number, message: string): Resource {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

export function notFound(what: string): [number, unknown] {
  return [404, twilioError(404, 20404, `The requested resource ${what} was not found`)];
}

/** A form body or query string; a repeated field (StatusCallbackEvent) becomes a list. */
export function parseForm(raw: string): FormParams {
  const out: FormParams = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** The last value of a field sent once or several times. */
export const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[v.length - 1] : v);

/** "user_defined_messages" -> "UserDefinedMessages", as Twilio names subresources in URIs. */
export function camel(s: string): string {
  return s
    .split('_')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}
