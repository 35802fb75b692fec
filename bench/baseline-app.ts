import express, { type Express } from 'express';
import twilio from 'twilio';

/**
 * The baseline of benchmarks A and B: the least an Express + twilio webhook can do. It parses the form,
 * checks X-Twilio-Signature against PUBLIC_BASE_URL + path, and answers `<Reject/>` (after `holdMs`,
 * the way the service holds the ring, when given). No database, no logging.
 */
export function createBaselineApp(opts: { authToken: string; publicBaseUrl: string; holdMs?: number }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  const reject = (() => {
    const r = new twilio.twiml.VoiceResponse();
    r.reject();
    return r.toString();
  })();
  app.post('/voice/incoming', (req, res) => {
    const signature = req.header('x-twilio-signature');
    const ok = Boolean(signature) && twilio.validateRequest(opts.authToken, signature!, opts.publicBaseUrl + req.originalUrl, req.body ?? {});
    if (!ok) {
      res.status(403).type('text/plain').send('Forbidden');
      return;
    }
    const answer = () => res.type('text/xml').send(reject);
    if (opts.holdMs) setTimeout(answer, opts.holdMs);
    else answer();
  });
  return app;
}
