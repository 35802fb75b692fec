/**
 * Label values for the service's metrics. Every label must come from a small, known set: a Prometheus
 * series lives as long as the process, so a phone number, a CallSid or an id as a label would grow the
 * exposition (and the operator's Prometheus) without bound. What does not fit its set becomes `other`.
 */

export const OTHER = 'other';

/** A reason code as sessions store it (`callback-busy`, `caller-id-no-presentable-number`...). */
const REASON = /^[a-z][a-z0-9-]{0,63}$/;

export function reasonLabel(reason: string | null | undefined): string {
  if (!reason) return OTHER;
  // `twilio-error-<code>`: Twilio's error codes are a few hundred, all documented, and say what went wrong.
  const twilio = /^twilio-error-(.+)$/.exec(reason);
  if (twilio) {
    const code = twilioErrorCodeLabel(twilio[1]);
    return code === OTHER ? 'twilio-error' : `twilio-error-${code}`;
  }
  return REASON.test(reason) ? reason : OTHER;
}

const SESSION_STATUSES = new Set(['refused', 'ringing', 'queued', 'scheduled', 'calling', 'answered', 'completed', 'cancelled', 'failed']);
export const sessionStatusLabel = (status: string): string => (SESSION_STATUSES.has(status) ? status : OTHER);

/** Twilio's final call statuses, and `machine` for an attempt a machine answered: what a retry follows. */
const RETRY_AFTER = new Set(['busy', 'no-answer', 'failed', 'canceled', 'completed', 'machine']);
export const retryAfterLabel = (after: string): string => (RETRY_AFTER.has(after) ? after : OTHER);

/**
 * A Twilio REST failure's code: Twilio's own five-digit error code when it answered one, the network
 * error's code (ECONNREFUSED, ETIMEDOUT, ECONNABORTED, ERR_...) when no answer came, else `none`.
 */
export function twilioErrorCodeLabel(code: unknown): string {
  if (typeof code === 'number' && Number.isInteger(code) && code >= 10_000 && code <= 99_999) return String(code);
  if (typeof code === 'string') {
    if (/^\d{5}$/.test(code)) return code;
    if (/^(E[A-Z0-9_]{1,30}|ERR_[A-Z0-9_]{1,40})$/.test(code)) return code;
    return OTHER;
  }
  return code === undefined || code === null ? 'none' : OTHER;
}

/** An HTTP status as a label (`none` when no answer came). */
export function httpStatusLabel(status: unknown): string {
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'none';
}

/** `2xx`, `4xx`...: the class keeps a histogram per route small (each status would multiply its buckets). */
export function statusClassLabel(status: number): string {
  return status >= 100 && status <= 599 ? `${Math.floor(status / 100)}xx` : OTHER;
}

/** A driver command name (find, insert, update, aggregate, findAndModify...). */
export const commandLabel = (name: string): string => (/^[A-Za-z]{1,40}$/.test(name) ? name : OTHER);

/** An ISO 4217 code, as clients store it. */
export const currencyLabel = (currency: string | null | undefined): string => (currency && /^[A-Z]{3}$/.test(currency) ? currency : OTHER);

/** A job type, a delivery result: short lower-case words from the code, never from a request. */
export const wordLabel = (word: string): string => (/^[a-z][a-z0-9_-]{0,39}$/.test(word) ? word : OTHER);

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
export const methodLabel = (method: string): string => (METHODS.has(method) ? method : OTHER);

/**
 * The Express route pattern that answered (`/api/clients/:id`, `/voice/callback/pin`), never the raw
 * URL: an unmatched request is `unmatched`, whatever its path.
 */
export function routeLabel(baseUrl: string, routePath: unknown): string {
  if (typeof routePath !== 'string') return 'unmatched';
  const pattern = `${baseUrl}${routePath === '/' && baseUrl ? '' : routePath}`;
  return pattern.length <= 120 ? pattern : OTHER;
}
