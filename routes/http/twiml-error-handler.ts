import type { ErrorRequestHandler } from 'express';

/**
 * The last resort of a Twilio webhook router: a failure still answers valid TwiML with 200 (`fallback`),
 * so Twilio never speaks or logs its own "application error" (11200). Requests Twilio would never send
 * (oversized, malformed bodies) get a plain 4xx instead. `sidField` names the request in the log.
 */
export function twimlErrorHandler(fallback: string, sidField: 'CallSid' | 'MessageSid', logMessage: string): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const status = typeof err === 'object' && err !== null ? (err as { status?: number }).status : undefined;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res
        .status(status)
        .type('text/plain')
        .send(status === 413 ? 'Payload too large' : 'Bad request');
      return;
    }
    req.log?.error({ err, [sidField === 'CallSid' ? 'callSid' : 'messageSid']: req.body?.[sidField] }, logMessage);
    res.status(200).type('text/xml').send(fallback);
  };
}
