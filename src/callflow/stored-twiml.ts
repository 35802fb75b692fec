import type { SecretBox } from '../security/secret-box';

/**
 * The answer a session keeps for Twilio's retries (`lastTwiml`). A <Sip password> is a secret: a TwiML
 * document that carries one is kept sealed with the data encryption key (a database dump, or its
 * write-ahead log, must not reveal it) and opened again when a retry is answered. Other TwiML is kept as
 * it is, readable when debugging a call. TwiML always starts with `<`, so the prefix is unambiguous.
 */
const SEALED = 'sealed:';
const SIP_PASSWORD = /<Sip\b[^>]*\spassword=/;

export function sealTwiml(box: SecretBox, twiml: string): string {
  return SIP_PASSWORD.test(twiml) ? SEALED + box.seal(twiml) : twiml;
}

export function openTwiml(box: SecretBox, stored: string): string {
  return stored.startsWith(SEALED) ? box.open(stored.slice(SEALED.length)) : stored;
}
