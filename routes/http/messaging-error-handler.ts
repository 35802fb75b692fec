import type { ErrorRequestHandler } from 'express';
import { SMS_TWIML } from '../../src/callflow/sms-twiml';

/**
 * The messaging webhook's last resort, as the voice one: a failure still answers valid messaging TwiML
 * with 200 (a short "try again later" text), so the sender is told something and Twilio logs no 11200.
 * Requests Twilio would never send (oversized, malformed bodies) get a plain 4xx instead.
 */
export const messagingErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const status = typeof err === 'object' && err !== null ? (err as { status?: number }).status : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res
      .status(status)
      .type('text/plain')
      .send(status === 413 ? 'Payload too large' : 'Bad request');
    return;
  }
  req.log?.error({ err, messageSid: req.body?.MessageSid }, 'error on messaging route; answered with the try-later text');
  res.status(200).type('text/xml').send(SMS_TWIML.failed);
};
