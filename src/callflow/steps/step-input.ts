/**
 * What a conversation webhook brings, parsed and bounded once at the edge (routes/http/twilio-params.ts): the steps
 * never see Twilio's raw form.
 */
export type StepKind = 'pin' | 'menu' | 'destination' | 'dial-result';

/** Twilio's `DialCallStatus` values; anything else is taken as `failed`. */
export const DIAL_CALL_STATUSES = ['completed', 'answered', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type DialCallStatus = (typeof DIAL_CALL_STATUSES)[number];

/** The longest `Digits` kept: a destination in E.164 with an international prefix fits well within it. */
export const MAX_DIGITS = 32;

export interface StepRequest {
  /** The session id (24 hex digits) and the step its TwiML action carried. */
  sessionId: string;
  step: number;
  /** The dial's reservation, on a `<Dial action>` (24 hex digits), else null. */
  reservationId: string | null;
  /** Keypad input: only 0-9, * and #, at most MAX_DIGITS. */
  digits: string;
  /** The outcome of the `<Dial>` (dial-result only). */
  dial: { status: DialCallStatus; duration: number; callSid: string | null };
}
