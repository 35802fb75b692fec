import express, { Router, type Request } from 'express';
import type { AppDeps } from '../src/deps';
import { handleIncomingSms } from '../src/callflow/incoming-sms';
import { SMS_TWIML } from '../src/callflow/sms-twiml';
import { withTimeout } from '../src/timeout';
import { messagingErrorHandler } from './http/messaging-error-handler';
import { twilioMessageForm } from './http/twilio-form';
import { twilioSignature } from './http/twilio-signature';

/**
 * Twilio waits 15 s for a messaging webhook too. When the database hangs, the sender is told to try
 * again before that; the request goes on, and a retry of the same message finds what it stored.
 */
export const SMS_DEADLINE_MS = 10_000;
/** An SMS body is at most 1,600 characters (concatenated segments); more is not Twilio. */
const MAX_BODY = 1_600;

/** A form field as Twilio sends it: one string, bounded. Anything else is absent. */
function field(req: Request, name: string, max = 64): string | undefined {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

/**
 * The messaging webhooks, signed and form-checked like the voice ones (the same middleware), with
 * their own error handler that answers messaging TwiML. `POST /sms/incoming`: an SMS to a number that
 * rings back to an extension asks for a callback to its sender.
 */
export function smsRoutes(deps: AppDeps, opts: { bodyLimit: string }): Router {
  const sms = Router();
  // extended:false keeps `From[$ne]=x` a plain key instead of a nested object: no operator injection.
  sms.use(express.urlencoded({ extended: false, limit: opts.bodyLimit, parameterLimit: 200 }));
  sms.use(
    twilioSignature({
      authToken: deps.config.twilio.authToken,
      publicBaseUrl: deps.config.publicBaseUrl,
      enabled: deps.config.webhookSignatureCheck,
    }),
  );
  sms.use(twilioMessageForm);

  sms.post('/incoming', async (req, res) => {
    const MessageSid = field(req, 'MessageSid')!; // checked by twilioMessageForm
    const work = handleIncomingSms(deps, { MessageSid, From: field(req, 'From'), To: field(req, 'To'), Body: field(req, 'Body', MAX_BODY) });
    const out = await withTimeout(work, SMS_DEADLINE_MS, () => {
      req.log?.warn({ messageSid: MessageSid }, 'callback request by SMS not stored within the deadline (database slow?); answered try-later');
      work.catch((err: unknown) => req.log?.error({ err, messageSid: MessageSid }, 'callback request by SMS failed after the deadline'));
      return { twiml: SMS_TWIML.failed, outcome: null };
    });
    if (out.outcome && !out.outcome.accepted) req.log?.info({ messageSid: MessageSid, reason: out.outcome.reason }, 'callback request by SMS refused');
    res.type('text/xml').send(out.twiml);
  });

  sms.use((_req, res) => {
    res.status(404).type('text/plain').send('No such messaging webhook');
  });
  sms.use(messagingErrorHandler);
  return sms;
}
