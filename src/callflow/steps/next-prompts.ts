import { updateSession } from '../../domain/call-sessions/conversation-store';
import type { PromptLine } from '../i18n/speaker';
import { gatherTwiml } from '../twiml';
import { type Ctx, stepUrl } from './context';

/** Twilio's Gather timeout is per digit; the dial window as a whole is enforced by the destination step. */
const DIGIT_TIMEOUT_S = 5;

/** The prompts that gather the caller's next input; `before` is said first (a result, an apology). */
export function pinPrompt(ctx: Ctx, before: PromptLine[]): string {
  return gatherTwiml(ctx.speech, { action: stepUrl(ctx, '/callback/pin'), lines: [ctx.talk.line('enterPassword')], finishOnKey: '#', timeout: 10, before });
}

export function menuPrompt(ctx: Ctx, before: PromptLine[]): string {
  return gatherTwiml(ctx.speech, { action: stepUrl(ctx, '/callback/menu'), lines: [ctx.talk.line('menu')], numDigits: 1, timeout: 8, before });
}

/** The destination prompt; the dial window is counted from it. */
export async function destinationPrompt(ctx: Ctx, before: PromptLine[]): Promise<string> {
  await updateSession(ctx.deps.db, ctx.s._id, { $set: { 'destination.promptAt': ctx.deps.clock.now() } });
  return gatherTwiml(ctx.speech, {
    action: stepUrl(ctx, '/callback/destination'),
    lines: [ctx.talk.line('enterDestination')],
    finishOnKey: '#',
    timeout: Math.min(DIGIT_TIMEOUT_S, ctx.ext.callback.dialWindowSeconds),
    before,
  });
}
