import { DIAL_CALL_STATUSES, MAX_DIGITS, type StepRequest } from '../../src/callflow/steps/step-input';

/**
 * Twilio's form and our action URL's query, parsed and bounded once, here at the edge, into the typed
 * input of a conversation step. twilio-form.ts has already refused repeated fields and bad CallSids.
 */
/** The longest dial a report may claim (a day); a larger or malformed duration is read as 0. */
const MAX_DURATION_S = 86_400;
const OBJECT_ID = /^[0-9a-f]{24}$/;

/**
 * The step request from the action URL's query and the form; null when the URL is not one of ours
 * (no session or step): the caller is then hung up on.
 */
export function parseStepRequest(query: Record<string, string | undefined>, form: Record<string, string | undefined>): StepRequest | null {
  const { session, step, reservation } = query;
  if (!session || !OBJECT_ID.test(session) || !step || !/^\d{1,4}$/.test(step)) return null;
  const status = DIAL_CALL_STATUSES.find((s) => s === form.DialCallStatus) ?? 'failed';
  const duration = /^\d{1,6}$/.test(form.DialCallDuration ?? '') ? Math.min(Number(form.DialCallDuration), MAX_DURATION_S) : 0;
  return {
    sessionId: session,
    step: Number(step),
    reservationId: reservation && OBJECT_ID.test(reservation) ? reservation : null,
    digits: (form.Digits ?? '').replace(/[^0-9*#]/g, '').slice(0, MAX_DIGITS),
    dial: { status, duration, callSid: form.DialCallSid ?? null },
  };
}
