import { normalizeTypedDestination } from './destination';

/**
 * The destination an SMS asks for: a body that is nothing but a phone number, written the way people
 * write one ("+44 20 7183 8750", "(202) 555-0186", "0044-20-7183-8750"). Pure and strict on purpose:
 * the separators people use are dropped, what is left must be digits with at most one leading `+`,
 * and they must read as a valid number the way keyed-in digits do on the call (national numbers in the
 * sender's country, `00`/`011` for international; destination.ts). Anything else ("call me",
 * "2025550186 please", letters, a `*`, a number no network has) asks for no destination, and the caller
 * is prompted for one on the callback as if they had rung. Whether the client may call it is the
 * callback's business (the same checks as digits keyed in after the prompt).
 */

/** Spaces (any kind), dashes, dots, slashes and parentheses: how numbers are grouped in writing. */
const SEPARATORS = /[\s\-./()]/g;
/** E.164 has at most 15 digits; "011" + 15 digits is the longest national entry (as destination.ts bounds keys). */
const WRITTEN_NUMBER = /^(?:\+\d{6,15}|\d{3,20})$/;
/** A body longer than this (trimmed, before the separators are dropped) is a message, not a number. */
const MAX_BODY = 40;

/**
 * The body as a destination, as written (E.164 with its `+`, or the digits as dialled), or null when it
 * is not a phone number. `sender` is the number that texted, whose country gives national numbers their meaning.
 */
export function parseSmsDestination(body: string | undefined, sender: string): string | null {
  const trimmed = body?.trim() ?? '';
  if (trimmed.length > MAX_BODY) return null;
  const compact = trimmed.replace(SEPARATORS, '');
  if (!WRITTEN_NUMBER.test(compact)) return null;
  return normalizeTypedDestination(compact, sender).ok ? compact : null;
}
