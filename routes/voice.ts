import { Router, type Request } from 'express';
import type { AppDeps } from '../src/deps';
import { handleCallStatus } from '../src/callflow/call-status';
import { answerCallback } from '../src/callflow/steps/answer';
import { runStep } from '../src/callflow/steps/run-step';
import { handleIncomingCall } from '../src/callflow/incoming-call';
import { BUSY_TWIML, emptyTwiml, hangupTwiml, rejectTwiml } from '../src/callflow/twiml';
import { CALL_SID } from './http/twilio-form';
import { parseStepRequest } from './http/twilio-params';
import { withTimeout } from '../src/timeout';
import { noteHeld } from './http/request-metrics';

const REJECTED = rejectTwiml('rejected');
/**
 * Twilio waits 15 s for a webhook. When the database hangs (rather than fails), the incoming call is
 * answered busy before that, still unanswered and free; the work goes on and may still call back.
 */
export const INCOMING_DEADLINE_MS = 10_000;

const HANGUP = hangupTwiml();
const EMPTY = emptyTwiml();

/** A form field as Twilio sends it: one string, bounded. Anything else (arrays, huge values) is absent. */
function field(req: Request, name: string, max = 64): string | undefined {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v.length <= max ? v : undefined;
}
function queryField(req: Request, name: string): string | undefined {
  const v = req.query[name];
  return typeof v === 'string' && v.length <= 64 ? v : undefined;
}

/**
 * Voice webhooks (signature already checked by the router they are mounted on). Thin: parse, call the
 * call flow, answer TwiML. Errors go to the voice error handler, which always answers valid TwiML.
 */
export function voiceRoutes(deps: AppDeps): Router {
  const router = Router();
  const xml = (res: import('express').Response, twiml: string) => res.type('text/xml').send(twiml);

  router.post('/incoming', async (req, res) => {
    const CallSid = field(req, 'CallSid');
    const To = field(req, 'To');
    if (!CallSid || !CALL_SID.test(CallSid) || !To) return xml(res, REJECTED);
    const work = handleIncomingCall(deps, { CallSid, To, From: field(req, 'From') ?? '', CallerName: field(req, 'CallerName', 100) });
    const out = await withTimeout(work, INCOMING_DEADLINE_MS, () => {
      req.log?.warn({ callSid: CallSid }, 'incoming call not stored within the deadline (database slow?); answered busy');
      work.catch((err: unknown) => req.log?.error({ err, callSid: CallSid }, 'incoming call failed after the deadline'));
      return { holdMs: 0, twiml: BUSY_TWIML };
    });
    if (out.holdMs > 0) {
      // Holding the answer keeps the call unanswered (and free): the caller hears ringing.
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      const heldFrom = performance.now();
      await deps.clock.sleep(out.holdMs, gone.signal);
      noteHeld(res, performance.now() - heldFrom);
      if (gone.signal.aborted && !res.writable) return;
    }
    xml(res, out.twiml);
  });

  router.post('/status', async (req, res) => {
    const CallSid = field(req, 'CallSid');
    const CallStatus = field(req, 'CallStatus');
    if (CallSid && CALL_SID.test(CallSid) && CallStatus) {
      await handleCallStatus(
        deps,
        { session: queryField(req, 'session'), leg: queryField(req, 'leg') },
        { CallSid, CallStatus, CallDuration: field(req, 'CallDuration'), AnsweredBy: field(req, 'AnsweredBy'), SequenceNumber: field(req, 'SequenceNumber', 10) },
      );
    }
    xml(res, EMPTY);
  });

  router.post('/callback/answer', async (req, res) => {
    const CallSid = field(req, 'CallSid');
    const session = queryField(req, 'session');
    if (!CallSid || !CALL_SID.test(CallSid) || !session) return xml(res, HANGUP);
    xml(res, await answerCallback(deps, session, { CallSid, AnsweredBy: field(req, 'AnsweredBy') }));
  });

  for (const kind of ['pin', 'menu', 'destination', 'dial-result'] as const) {
    router.post(`/callback/${kind}`, async (req, res) => {
      const form = {
        Digits: field(req, 'Digits'),
        DialCallStatus: field(req, 'DialCallStatus'),
        DialCallDuration: field(req, 'DialCallDuration'),
        DialCallSid: field(req, 'DialCallSid'),
      };
      const step = parseStepRequest({ session: queryField(req, 'session'), step: queryField(req, 'step'), reservation: queryField(req, 'reservation') }, form);
      xml(res, step ? await runStep(deps, kind, step) : HANGUP);
    });
  }
  return router;
}
