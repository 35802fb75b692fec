import twilio from 'twilio';
import { twimlErrorHandler } from './twiml-error-handler';

const APOLOGY = 'We are sorry, an error occurred. Please try again later. Goodbye.';

/** The TwiML every voice route falls back to: a short apology and a clean hang-up. Built once. */
export const apologyTwiml = (() => {
  const r = new twilio.twiml.VoiceResponse();
  r.say(APOLOGY);
  r.hangup();
  return r.toString();
})();

/** Any failure on a voice route answers the apology and hangs up (a 4xx only for what Twilio never sends). */
export const voiceErrorHandler = twimlErrorHandler(apologyTwiml, 'CallSid', 'error on voice route; answered with apology TwiML');
