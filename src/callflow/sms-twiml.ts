import twilio from 'twilio';

/**
 * The replies to an SMS that asks for a callback: TwiML for Programmable Messaging, whose root is
 * `<Response>` like a voice document's (Twilio answers error 12102 to any other root); the SDK's
 * MessagingResponse writes it. Every refusal (unknown number, a caller not allowed, no credit, a
 * garbled request) gets one and the same text, so a stranger learns nothing about why, or about which
 * numbers and callers the service knows.
 */

export const SMS_TEXT = {
  coming: 'Thank you. We will call you back in a moment.',
  refused: 'Sorry, we cannot call you back.',
  /** A failure on our side: not a refusal, so a caller who is allowed knows to try again. */
  failed: 'Sorry, your request could not be taken just now. Please try again later.',
} as const;

export function messagingTwiml(text: string): string {
  const r = new twilio.twiml.MessagingResponse();
  r.message(text);
  return r.toString();
}

/** A scheduled callback (quiet hours, or a time asked for): when, in UTC, to the minute. */
export function scheduledText(dueAt: Date): string {
  const when = dueAt.toISOString().slice(0, 16).replace('T', ' ');
  return `Thank you. We will call you back at ${when} UTC.`;
}

/** Built once: the documents every request answers with. */
export const SMS_TWIML = {
  coming: messagingTwiml(SMS_TEXT.coming),
  refused: messagingTwiml(SMS_TEXT.refused),
  failed: messagingTwiml(SMS_TEXT.failed),
  /**
   * No reply at all: to a sender that is no phone number, or one the operator's deny list names. Each
   * reply is an SMS the operator pays for; one to a premium number is exactly what SMS pumping wants.
   */
  silent: new twilio.twiml.MessagingResponse().toString(),
} as const;
