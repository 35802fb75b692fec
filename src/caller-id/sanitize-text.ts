// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (they are removed)
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Makes free text (caller names, above all Twilio's CallerName) safe to put in a SIP header value.
 * Control characters go because Twilio %-decodes header values into the INVITE, where CR/LF would start
 * a new header. Lone surrogates become U+FFFD because encodeURIComponent throws on them, and a malformed
 * name must not make a call fail.
 */
export function sanitizeHeaderText(value: string): string {
  return value.replace(CONTROL_CHARACTERS, '').replace(LONE_SURROGATE, '\uFFFD');
}
