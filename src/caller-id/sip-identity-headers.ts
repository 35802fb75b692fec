import { sanitizeHeaderText } from './sanitize-text';

/**
 * SIP identity and privacy headers for `<Dial><Sip>`, and how they are attached to the SIP URI.
 *
 * Why this mapping: Twilio passes headers to a `<Sip>` endpoint only through the URI query
 * (`sip:...@host?Name=value&...`), and without the `X-` prefix it lets through only User-to-User,
 * Remote-Party-ID, P-Preferred-Identity and P-Called-Party-ID (anything else fails with 13252;
 * `X-Twilio*` fails with 32113). The seed asks for P-Asserted-Identity and P-Preferred-Identity, but
 * P-Asserted-Identity is not on that list, so it can never be sent under its own name.
 *
 * Exact mapping, with NUMBER the presented number, NAME the presented name (omitted when none) and URI
 * `sip:NUMBER@DOMAIN` (DOMAIN = the routing channel's SIP domain) or `tel:NUMBER` when no domain is known:
 *
 *   identity (sendIdentityHeaders, public call, SIP route, not hidden):
 *     P-Preferred-Identity:   "NAME" <URI>
 *     Remote-Party-ID:        "NAME" <URI>;party=calling;screen=no;privacy=off
 *     X-P-Asserted-Identity:  "NAME" <URI>
 *   The X- copy exists because a trusted proxy behind the trunk can promote it to a real
 *   P-Asserted-Identity (RFC 3325 only lets a trust domain assert identity anyway); emitting the raw header
 *   would fail the whole dial with 13252. Remote-Party-ID is sent as well because many carriers still read
 *   only that older header. `screen=no` because the number is the operator's choice, not network-verified.
 *
 *   hidden (hide on a SIP route; no number and no name anywhere):
 *     Remote-Party-ID:        "Anonymous" <sip:anonymous@anonymous.invalid>;party=calling;privacy=full;screen=no
 *     X-Privacy:              id
 *   The standard marking is a `Privacy: id` header (RFC 3323/3325), but Privacy is not on Twilio's allowed
 *   list. Remote-Party-ID's `privacy=full` is the pre-RFC 3325 way to ask the network to withhold the
 *   identity and is what carriers that honour Remote-Party-ID act on; X-Privacy carries the RFC 3323 value
 *   for a proxy that can be configured to turn it into a real Privacy header. The anonymous URI follows
 *   RFC 3323 section 4.1.1.3, so even a peer that ignores both still sees no identity. The callerId itself
 *   is "anonymous" (set by the engine, not here).
 *
 * Escaping: every value is %-encoded with encodeURIComponent (so `"`, `<`, `>`, `;`, `@`, `&`, `=`, space
 * and `%` cannot break the URI query), names are quoted-strings with `\` and `"` backslash-escaped, and
 * control characters are removed before encoding because Twilio decodes %0D%0A back into the INVITE: left
 * in, a caller name from the original call could inject headers.
 */

/** Twilio refuses a `<Sip>` URI whose header part is 1024 characters or more (error 21227). */
export const SIP_HEADER_PART_MAX_LENGTH = 1023;

const TWILIO_ALLOWED_STANDARD_HEADERS = new Set(['User-to-User', 'Remote-Party-ID', 'P-Preferred-Identity', 'P-Called-Party-ID'].map((h) => h.toLowerCase()));

export class SipHeaderError extends Error {
  override readonly name: string = 'SipHeaderError';
}

export class SipHeaderPartTooLongError extends SipHeaderError {
  override readonly name = 'SipHeaderPartTooLongError';
  constructor(readonly length: number) {
    super(`SIP header part is ${length} characters; Twilio refuses ${SIP_HEADER_PART_MAX_LENGTH + 1} or more (error 21227)`);
  }
}

export interface SipIdentity {
  number: string;
  name: string | null;
  /** Host part of the identity URI; without it a tel: URI is used. */
  domain?: string | null;
}

const sanitize = sanitizeHeaderText;

function quotedDisplayName(name: string): string {
  return `"${sanitize(name).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function identityUri(number: string, domain: string | null | undefined): string {
  const user = sanitize(number);
  return domain ? `sip:${user}@${sanitize(domain)}` : `tel:${user}`;
}

function nameAddr(identity: SipIdentity): string {
  const uri = `<${identityUri(identity.number, identity.domain)}>`;
  const name = identity.name === null ? '' : sanitize(identity.name).trim();
  return name === '' ? uri : `${quotedDisplayName(name)} ${uri}`;
}

/** Identity headers for a public call on a SIP route (see the mapping above). */
export function buildIdentityHeaders(identity: SipIdentity): Record<string, string> {
  const addr = nameAddr(identity);
  return {
    'P-Preferred-Identity': addr,
    'Remote-Party-ID': `${addr};party=calling;screen=no;privacy=off`,
    'X-P-Asserted-Identity': addr,
  };
}

/** Privacy marking for a hidden caller on a SIP route: carries no number and no name. */
export function buildPrivacyHeaders(): Record<string, string> {
  return {
    'Remote-Party-ID': '"Anonymous" <sip:anonymous@anonymous.invalid>;party=calling;privacy=full;screen=no',
    'X-Privacy': 'id',
  };
}

/** Throws SipHeaderError for a name Twilio would refuse, so a bad header fails here, not mid-call. */
export function assertTwilioSipHeaderName(name: string): void {
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw new SipHeaderError(`SIP header name ${JSON.stringify(name)} is not a valid token`);
  }
  const lower = name.toLowerCase();
  if (lower.startsWith('x-twilio')) {
    throw new SipHeaderError(`SIP header ${name}: X-Twilio headers are reserved by Twilio (error 32113)`);
  }
  if (!lower.startsWith('x-') && !TWILIO_ALLOWED_STANDARD_HEADERS.has(lower)) {
    throw new SipHeaderError(
      `SIP header ${name} is not passed by Twilio (error 13252): use an X- header or one of User-to-User, Remote-Party-ID, P-Preferred-Identity, P-Called-Party-ID`,
    );
  }
}

/** The `Name=value&...` query part, values %-encoded. Does not check the length (appendSipHeaders does). */
export function encodeSipHeaderPart(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => {
      assertTwilioSipHeaderName(name);
      return `${name}=${encodeURIComponent(sanitize(value))}`;
    })
    .join('&');
}

/**
 * Appends headers to a SIP URI's query, keeping any headers already there, and enforces Twilio's limit on
 * the whole header part. Throws SipHeaderPartTooLongError rather than truncating: a truncated identity
 * header would present a different (or malformed) identity than the trace says.
 */
export function appendSipHeaders(sipUri: string, headers: Readonly<Record<string, string>>): string {
  const added = encodeSipHeaderPart(headers);
  if (added === '') return sipUri;
  const q = sipUri.indexOf('?');
  const existing = q === -1 ? '' : sipUri.slice(q + 1);
  const base = q === -1 ? sipUri : sipUri.slice(0, q);
  const part = existing === '' ? added : `${existing}&${added}`;
  if (part.length > SIP_HEADER_PART_MAX_LENGTH) throw new SipHeaderPartTooLongError(part.length);
  return `${base}?${part}`;
}
