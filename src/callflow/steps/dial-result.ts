import { Types } from 'mongoose';
import { settleReservation } from '../../domain/reservations/reservations';
import { dialReservation, playableSound, updateSession } from '../../domain/call-sessions/conversation-store';
import { recordEvent } from '../../domain/call-sessions/session-events';
import { hangupTwiml, playAndHangup, sayAndHangup } from '../twiml';
import { type Ctx, endSession } from './context';
import { coverStep } from './cover';
import { destinationPrompt } from './next-prompts';
import type { StepRequest } from './step-input';

/** Dials a session may make (busy, no answer...) before it ends. */
const DIAL_ATTEMPTS = 3;

/** `POST /voice/callback/dial-result` (the <Dial action>): bill the dial, then hang up or offer another. */
export async function onDialResult(ctx: Ctx, req: StepRequest): Promise<string> {
  const db = ctx.deps.db;
  const now = ctx.deps.clock.now();
  const { status, duration, callSid } = req.dial;
  const reservation = req.reservationId ? await dialReservation(db, req.reservationId, ctx.s._id) : null;
  let charge = 0;
  let balanceAfter: number | null = null;
  if (reservation) {
    const settled = await settleReservation(db, reservation._id, { duration, dialCallSid: callSid }, now);
    charge = settled.charge;
    balanceAfter = settled.balanceAfter;
    if (settled.booked) ctx.deps.metrics.charged('dial', settled.booked.currency, settled.booked.amount);
  }
  await recordEvent(db, ctx.s._id, now, 'dial-ended', { status, duration, dialCallSid: callSid, charge, balanceAfter });

  const talked = status === 'completed' || status === 'answered';
  if (talked && reservation && duration >= reservation.seconds - 1) {
    return endSession(ctx, 'credit-ended', playAndHangup(ctx.speech, await disconnectSound(ctx)));
  }
  if (talked) return endSession(ctx, 'dial-completed', hangupTwiml());
  const message = ctx.talk.line(status === 'busy' ? 'busy' : status === 'no-answer' ? 'noAnswer' : 'failed');
  if (ctx.s.destination.dials >= DIAL_ATTEMPTS) return endSession(ctx, `dial-${status}`, sayAndHangup(ctx.speech, message, ctx.talk.line('goodbye')));
  // Another destination: the callback leg must be paid for while the caller dials it.
  if (!(await coverStep(ctx))) return endSession(ctx, 'insufficient-credit', sayAndHangup(ctx.speech, message, ctx.talk.line('noCredit')));
  await updateSession(db, ctx.s._id, { $set: { 'destination.tries': 0 } });
  return destinationPrompt(ctx, [message]);
}

/** The extension's sound (an uploaded one is served at /sounds/<token>), or the creditEnded prompt (recorded or said). */
async function disconnectSound(ctx: Ctx): Promise<{ url: string } | { text: string }> {
  const sound = ctx.ext.callback.disconnectSound;
  const ended = ctx.talk.line('creditEnded');
  const fallback = typeof ended === 'string' ? { text: ended } : { url: ended.play };
  if (!sound) return fallback;
  if (sound.startsWith('https://')) return { url: sound };
  if (!Types.ObjectId.isValid(sound)) return fallback;
  const doc = await playableSound(ctx.deps.db, sound);
  if (doc?.url) return { url: doc.url };
  if (doc?.token) return { url: `${ctx.deps.config.publicBaseUrl}/sounds/${doc.token}` };
  return fallback;
}
