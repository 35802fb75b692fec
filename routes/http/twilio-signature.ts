import type { RequestHandler } from 'express';
import twilio from 'twilio';

/**
 * Checks X-Twilio-Signature on every webhook. The URL Twilio signed is the public one (ngrok, a load
 * balancer...), so it is rebuilt from PUBLIC_BASE_URL plus the path and query, never from Host or
 * req.protocol, which a proxy changes.
 */
export function twilioSignature(opts: { authToken: string; publicBaseUrl: string; enabled: boolean }): RequestHandler {
  return (req, res, next) => {
    if (!opts.enabled) return next();
    const signature = req.header('x-twilio-signature');
    const url = opts.publicBaseUrl + req.originalUrl;
    // Twilio signs the form parameters of a POST; a GET is signed on the URL alone.
    const params = req.method === 'POST' && req.is('application/x-www-form-urlencoded') ? (req.body ?? {}) : {};
    if (!signature || !twilio.validateRequest(opts.authToken, signature, url, params)) {
      req.log?.warn({ url, hasSignature: Boolean(signature) }, 'webhook rejected: bad Twilio signature');
      res.status(403).type('text/plain').send('Forbidden: invalid Twilio signature');
      return;
    }
    next();
  };
}
