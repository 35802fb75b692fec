import type { AppDeps } from '../deps';
import { AppError } from '../errors';
import { toE164 } from '../phone';
import { ConfigCache } from './config-cache';
import { operatorDenies } from './destination';
import { requestCallback, type RequestOutcome } from './requested-callback';
import { parseSmsDestination } from './sms-destination';
import { SMS_TWIML, messagingTwiml, scheduledText } from './sms-twiml';

/** Twilio's incoming-message webhook, as much of it as a callback request needs (bounded by the route). */
export interface IncomingSmsParams {
  MessageSid: string;
  From: string | undefined;
  To: string | undefined;
  Body: string | undefined;
}

export interface SmsAnswer {
  twiml: string;
  /** What the request came to; null when the message could not be a request (no sender or number). */
  outcome: RequestOutcome | null;
}

/**
 * An SMS to a number that rings back to an extension asks for a callback to its sender, under every
 * rule of a call from that number (requestCallback). A body that is a phone number is the destination.
 * Twilio's retry of the same message carries the same MessageSid, which keys the request: it finds the
 * first session and answers as the first time, and nothing is asked twice.
 */
export async function handleIncomingSms(deps: AppDeps, p: IncomingSmsParams): Promise<SmsAnswer> {
  // A null number would mean "the extension's fixed number": a message without a sender asks for nothing.
  if (!p.From?.trim() || !p.To?.trim()) return { twiml: SMS_TWIML.silent, outcome: null };
  const from = p.From.trim();
  let outcome: RequestOutcome;
  try {
    outcome = await requestCallback(deps, {
      origin: 'sms',
      requestKey: `sms:${p.MessageSid}`,
      calledNumber: p.To.trim(),
      number: from,
      at: null,
      destination: parseSmsDestination(p.Body, from),
    });
  } catch (err) {
    // Input the request cannot take (its validation errors name a field) is refused like the rest.
    if (err instanceof AppError && err.kind === 'validation') return { twiml: SMS_TWIML.refused, outcome: { accepted: false, sessionId: null, reason: 'invalid-request' } };
    throw err;
  }
  if (!outcome.accepted && (await notToBeAnswered(deps, from))) return { twiml: SMS_TWIML.silent, outcome };
  return { twiml: smsReply(outcome), outcome };
}

/** A refused sender that gets no reply: no phone number, or one the operator denies (premium, fraud). */
async function notToBeAnswered(deps: AppDeps, from: string): Promise<boolean> {
  const e164 = toE164(from);
  if (!e164) return true;
  const fraud = await ConfigCache.for(deps.db).fraud();
  return operatorDenies(e164, fraud.denyPrefixes);
}

/** The reply: coming (now, or at the time quiet hours allow), or the one refusal text, whatever the reason. */
export function smsReply(outcome: RequestOutcome): string {
  if (!outcome.accepted) return SMS_TWIML.refused;
  return outcome.status === 'scheduled' ? messagingTwiml(scheduledText(outcome.dueAt)) : SMS_TWIML.coming;
}
