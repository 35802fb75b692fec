import { Router } from 'express';
import twilio from 'twilio';
import type { AppDeps } from '../src/app';

const rejectUnknown = (() => {
  const r = new twilio.twiml.VoiceResponse();
  r.reject({ reason: 'rejected' });
  return r.toString();
})();

/**
 * Voice webhooks (already signature-checked by the router they are mounted on).
 * `/voice/incoming` answers a number that rings back to no callback extension with an immediate
 * reject, so the caller is never billed.
 */
export function voiceRoutes(_deps: AppDeps): Router {
  const router = Router();
  router.post('/incoming', (_req, res) => {
    res.type('text/xml').send(rejectUnknown);
  });
  return router;
}
