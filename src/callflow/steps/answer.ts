import { Types } from 'mongoose';
import type { AppDeps } from '../../deps';
import { type CallSessionDoc, loadSession, updateSession, updateSessionReturning } from '../../domain/call-sessions/conversation-store';
import { PROMPTS } from '../prompts';
import { timelineEntry } from '../../domain/call-sessions/session-events';
import { answeredEvent } from '../../domain/events/call-events';
import { emitCallEvent } from '../../domain/events/emit';
import { rememberAnswer } from '../step-guard';
import { openTwiml } from '../stored-twiml';
import { hangupTwiml, sayAndHangup } from '../twiml';
import { endSession, loadCtx } from './context';
import { afterAuth } from './after-auth';
import { pinPrompt } from './next-prompts';
import { passwordNeeded } from './pin';

/** Twilio's AnsweredBy values of answering machine detection that mean no person: a machine or a fax. */
const MACHINE = /^(machine_|fax$)/;

/** `POST /voice/callback/answer`: the callback was answered. */
export async function answerCallback(deps: AppDeps, sessionId: string, p: { CallSid: string; AnsweredBy?: string | undefined }): Promise<string> {
  if (!Types.ObjectId.isValid(sessionId)) return hangupTwiml();
  const s = await loadSession(deps.db, sessionId);
  if (!s || (s.callback.callSid && s.callback.callSid !== p.CallSid)) return hangupTwiml();
  if (s.status === 'answered' && s.callback.answeredAt) {
    if (s.lastTwiml) return openTwiml(deps.secretBox, s.lastTwiml); // Twilio retried
    // The instance died after marking the answer and before saving its TwiML: Twilio's retry builds it.
    if (s.callback.callSid === p.CallSid && s.step === 0) return firstPrompt(deps, s);
    return hangupTwiml();
  }
  if (s.status !== 'calling') return hangupTwiml();
  const now = deps.clock.now();
  if (p.AnsweredBy && MACHINE.test(p.AnsweredBy)) {
    // Voicemail would cost money and help nobody: hang up; the status callback schedules a retry.
    if (!s.callback.machine) deps.metrics.callbackAnswered('machine');
    await updateSession(deps.db, s._id, {
      $set: { 'callback.machine': true, 'callback.callSid': p.CallSid },
      $push: { timeline: timelineEntry(now, 'callback-machine', { answeredBy: p.AnsweredBy }) },
    });
    return hangupTwiml();
  }
  const [answered] = await Promise.all([
    updateSessionReturning(
      deps.db,
      s._id,
      {
        $set: { status: 'answered', 'callback.answeredAt': now, 'callback.callSid': p.CallSid },
        $push: { timeline: timelineEntry(now, 'callback-answered', { callSid: p.CallSid, answeredBy: p.AnsweredBy ?? null }) },
      },
      { status: 'calling' },
    ),
    // In the same round: its delivery checks that this answer is stored.
    emitCallEvent(deps.db, answeredEvent(s, s.callback.attempts, p.CallSid, now)),
  ]);
  if (!answered) return hangupTwiml();
  deps.metrics.callbackAnswered('person');
  return firstPrompt(deps, answered);
}

/** What the callee hears first (password, menu or destination prompt), kept for Twilio's retries. */
async function firstPrompt(deps: AppDeps, answered: CallSessionDoc): Promise<string> {
  const ctx = await loadCtx(deps, answered, answered.step);
  if (!ctx) return sayAndHangup({ language: 'en-US', voice: null }, PROMPTS.sessionEnded);
  const needs = await passwordNeeded(ctx);
  if (needs === 'unavailable') return rememberAnswer(deps, answered._id, await endSession(ctx, 'no-password-for-caller', sayAndHangup(ctx.speech, ctx.talk.line('goodbye'))));
  const twiml = needs ? pinPrompt(ctx, []) : await afterAuth(ctx, []);
  return rememberAnswer(deps, answered._id, twiml);
}
