import type { Types } from 'mongoose';
import { callSessionModel } from '../../models/call-session';
import type { AppDeps } from '../app';
import { PROMPTS } from './prompts';
import { hangupTwiml, sayAndHangup } from './twiml';

/** A conversation longer than this many prompts is a caller asleep on the keypad: end it. */
export const MAX_STEPS = 60;

/**
 * Idempotency of the conversation's webhooks. Every TwiML with an action carries `step=N`; the first
 * request for step N advances the session to N+1 and answers, a repeat (Twilio's retry) gets the very
 * same TwiML again and changes nothing.
 */
export async function claimStep(
  deps: AppDeps,
  sessionId: Types.ObjectId,
  step: number,
): Promise<{ go: true; step: number } | { go: false; twiml: string }> {
  const sessions = callSessionModel(deps.db);
  const claimed = await sessions.findOneAndUpdate({ _id: sessionId, step }, { $inc: { step: 1 } }, { returnDocument: 'after' }).lean();
  if (claimed) {
    if (claimed.step > MAX_STEPS) return { go: false, twiml: sayAndHangup({ language: 'en-US', voice: null }, PROMPTS.sessionEnded) };
    return { go: true, step: claimed.step };
  }
  const s = await sessions.findById(sessionId, { step: 1, lastTwiml: 1 }).lean();
  if (s && s.step > step && s.lastTwiml) return { go: false, twiml: s.lastTwiml };
  return { go: false, twiml: hangupTwiml() };
}

/** Keeps the answer of the current step, for replays. */
export async function rememberAnswer(deps: AppDeps, sessionId: Types.ObjectId, twiml: string): Promise<string> {
  await callSessionModel(deps.db).updateOne({ _id: sessionId }, { $set: { lastTwiml: twiml } });
  return twiml;
}
