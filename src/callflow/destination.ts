import { countryOf, toE164 } from '../phone';

/**
 * The number a caller keys in after the destination prompt, turned into E.164, and the client's prefix
 * rules applied to it. Pure: libphonenumber's metadata is the only thing consulted.
 */

export type DestinationResult = { ok: true; e164: string } | { ok: false; reason: 'empty' | 'invalid' };
export type PrefixCheck = { ok: true } | { ok: false; reason: 'denied' };

/**
 * Digits, optionally led by one `*`. A star or hash anywhere else is a slip of the finger, and
 * libphonenumber must not get the chance to "extract" a number from around it.
 */
const DIALED_NUMBER = /^\*?\d+$/;
/** Longest sensible entry: "011" + 15 digits of E.164. More is someone leaning on the keypad. */
const MAX_DIGITS = 20;
/** Dialing prefixes accepted from anywhere, whatever the caller's own country uses. */
const INTERNATIONAL_PREFIXES = ['011', '00'];

/**
 * `digits` is a Gather's Digits; `calledBackNumber` is the E.164 number we called back, whose country
 * gives national numbers their meaning.
 *
 * - A leading `*` stands for `+` (a keypad has no plus key).
 * - Otherwise the entry is first read the way a phone in the caller's country reads it (national
 *   number, or that country's own international prefix: libphonenumber knows both). Only when that is
 *   not a valid number are `00` and `011` taken as international prefixes. The order matters where both
 *   readings are valid: in the UK 0113-0118 are area codes, so "01135225555" is Leeds
 *   (+441135225555) to a British caller, not 011 + Luxembourg (+35225555); an American dialing the
 *   same digits means Luxembourg, and their own country's reading already gives that.
 */
export function normalizeDestination(digits: string, calledBackNumber: string): DestinationResult {
  // Twilio drops the finishOnKey from Digits, but a window-ended entry or a retry may still carry it.
  const entry = digits.trim().replace(/#+$/, '');
  if (entry === '') return { ok: false, reason: 'empty' };
  if (!DIALED_NUMBER.test(entry) || entry.length > MAX_DIGITS) return { ok: false, reason: 'invalid' };

  const e164 = readings(entry, calledBackNumber)
    .map((candidate) => candidate())
    .find((n) => n !== undefined);
  return e164 ? { ok: true, e164 } : { ok: false, reason: 'invalid' };
}

/** Candidate interpretations in order of preference, evaluated lazily (parsing is the costly part). */
function readings(entry: string, calledBackNumber: string): Array<() => string | undefined> {
  if (entry.startsWith('*')) return [() => international(entry.slice(1))];
  const country = countryOf(calledBackNumber);
  const result: Array<() => string | undefined> = [];
  if (country) result.push(() => toE164(entry, country));
  const idd = INTERNATIONAL_PREFIXES.find((p) => entry.startsWith(p));
  if (idd) result.push(() => international(entry.slice(idd.length)));
  return result;
}

function international(rest: string): string | undefined {
  return toE164(`+${rest}`);
}

/**
 * The client's allow and deny lists ("+44", "+1900"), matched as prefixes of the E.164 string. A deny
 * wins over an allow, so "allow +44, deny +449" blocks UK premium numbers; a non-empty allow list
 * admits only what it names, and an empty one admits everything not denied.
 */
export function checkPrefixes(e164: string, allowPrefixes: readonly string[], denyPrefixes: readonly string[]): PrefixCheck {
  if (denyPrefixes.some((p) => e164.startsWith(p))) return { ok: false, reason: 'denied' };
  if (allowPrefixes.length > 0 && !allowPrefixes.some((p) => e164.startsWith(p))) return { ok: false, reason: 'denied' };
  return { ok: true };
}

/** The operator's deny list (GET /api/settings/fraud) applies to every client's targets and destinations. */
export function operatorDenies(e164: string, denyPrefixes: readonly string[]): boolean {
  return denyPrefixes.some((p) => e164.startsWith(p));
}

/**
 * A destination given in text (POST /api/callbacks, an SMS) rather than on a keypad: a leading `+` is
 * read as the keypad's `*`, then it is read as dialed digits are.
 */
export function normalizeTypedDestination(text: string, calledBackNumber: string): DestinationResult {
  const entry = text.replace(/[\s().-]/g, '');
  return normalizeDestination(entry.startsWith('+') ? `*${entry.slice(1)}` : entry, calledBackNumber);
}
