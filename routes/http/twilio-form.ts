import type { Request, RequestHandler, Response } from 'express';

/** Twilio's call SIDs: CA and 32 lowercase hex digits. */
export const CALL_SID = /^CA[0-9a-f]{32}$/;

/** Twilio's message SIDs: SM (SMS) or MM (MMS) and 32 hex digits. */
export const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;

function refuse(res: Response, path: string, message: string): void {
  res.status(400).json({ error: { code: 'validation_failed', message: `bad webhook: ${path} ${message}`, fields: [{ path, message }] } });
}

/**
 * The one check of a voice webhook's form, after its signature. Twilio's validator sorts the pairs and
 * drops a repeated identical one, so `DialCallDuration=600` sent twice still validates; a route reading
 * the field would then see an array (treated as absent: a 600 s dial billed 0 s). Twilio never repeats a
 * voice parameter, so any repeated field or query key answers 400 before a route runs, and the call
 * identifiers every route relies on are format-checked here once, for all of them.
 */
export const twilioForm: RequestHandler = (req, res, next) => {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (refusedRepeated(req, res)) return;
  if (typeof body.CallSid !== 'string' || !CALL_SID.test(body.CallSid)) return refuse(res, 'CallSid', 'must be CA followed by 32 hex digits');
  if (body.DialCallSid !== undefined && !CALL_SID.test(String(body.DialCallSid))) {
    return refuse(res, 'DialCallSid', 'must be CA followed by 32 hex digits');
  }
  next();
};

/** Answers 400 and returns true when a form field or query key is repeated (see twilioForm). */
function refusedRepeated(req: Request, res: Response): boolean {
  for (const [where, fields] of [
    ['form', (req.body ?? {}) as Record<string, unknown>],
    ['query', req.query as Record<string, unknown>],
  ] as const) {
    const repeated = Object.keys(fields).find((k) => typeof fields[k] !== 'string');
    if (repeated !== undefined) {
      refuse(res, repeated, `is repeated in the ${where}; Twilio sends each field once`);
      return true;
    }
  }
  return false;
}

/**
 * The same check for the messaging webhook: no repeated field (Twilio repeats none there either), and
 * the MessageSid the callback request is keyed on. The rest (From, To, Body) is the route's to judge:
 * a message that cannot be a callback request still gets a reply.
 */
export const twilioMessageForm: RequestHandler = (req, res, next) => {
  if (refusedRepeated(req, res)) return;
  const sid = (req.body as Record<string, unknown> | undefined)?.MessageSid;
  if (typeof sid !== 'string' || !MESSAGE_SID.test(sid)) return refuse(res, 'MessageSid', 'must be SM or MM followed by 32 hex digits');
  next();
};
