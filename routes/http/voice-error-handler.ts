import type { ErrorRequestHandler } from 'express';
import twilio from 'twilio';

const APOLOGY = 'We are sorry, an error occurred. Please try again later. Goodbye.';

/** The TwiML every voice route falls back to: a short apology and a clean hang-up. Built once. */
export const apologyTwiml = (() => {
  const r = new twilio.twiml.VoiceResponse();
  r.say(APOLOGY);
  r.hangup();
  return r.toString();
})();

/**
 * Any failure on a voice route still answers valid TwiML with 200, so Twilio never speaks its own
 * "application error" to a caller. Requests Twilio would never send (oversized, malformed bodies)
 * get a plain 4xx instead.
 */
export const voiceErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const status = typeof err === 'object' && err !== null ? (err as { status?: number }).status : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res
      .status(status)
      .type('text/plain')
      .send(status === 413 ? 'Payload too large' : 'Bad request');
    return;
  }
  req.log?.error({ err, callSid: req.body?.CallSid }, 'error on voice route; answered with apology TwiML');
  res.status(200).type('text/xml').send(apologyTwiml);
};
