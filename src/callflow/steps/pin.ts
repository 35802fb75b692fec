import { activeLockout, callerPinHash, updateSession } from '../../domain/call-sessions/conversation-store';
import { verifyPin } from '../../security/pin-hash';
import { countWrongPin } from '../pin-lockout';
import { recordEvent, timelineEntry } from '../../domain/call-sessions/session-events';
import { sayAndHangup } from '../twiml';
import { countOnceReporting, type Ctx, endSession } from './context';
import { afterAuth } from './after-auth';
import { pinPrompt } from './next-prompts';

/** Wrong PINs a session may enter before it ends (each also counts toward the target's lockout). */
const PIN_TRIES = 3;

/** The hash to check, null when no password is asked, 'unavailable' when one is required but none exists. */
export async function passwordNeeded(ctx: Ctx): Promise<string | null | 'unavailable'> {
  if (ctx.ext.callback.requireCallerPassword) {
    if (!ctx.s.authorizedCallerId) return 'unavailable';
    return (await callerPinHash(ctx.deps.db, ctx.s.authorizedCallerId)) ?? 'unavailable';
  }
  return ctx.ext.callback.passwordHash ?? null;
}

/** `POST /voice/callback/pin`: the password the caller typed. */
export async function onPin(ctx: Ctx, digits: string): Promise<string> {
  const now = ctx.deps.clock.now();
  // Read with the password: a target locked out meanwhile (wrong PINs in another session) is refused
  // even with the right PIN.
  const [hash, lockout] = await Promise.all([passwordNeeded(ctx), ctx.s.target ? activeLockout(ctx.deps.db, ctx.ext._id, ctx.s.target, now) : null]);
  if (lockout) {
    await recordEvent(ctx.deps.db, ctx.s._id, now, 'password-refused-locked-out', { until: lockout.until });
    return endSession(ctx, 'target-locked-out', sayAndHangup(ctx.speech, ctx.talk.line('tooManyPasswordTries')));
  }
  if (hash === 'unavailable') return endSession(ctx, 'no-password-for-caller', sayAndHangup(ctx.speech, ctx.talk.line('goodbye')));
  const ok = hash === null || (digits.length > 0 && (await verifyPin(digits.replace(/#$/, ''), hash)));
  if (ok) {
    await updateSession(ctx.deps.db, ctx.s._id, { $set: { 'auth.passed': true }, $push: { timeline: timelineEntry(now, 'password-accepted', {}) } });
    return afterAuth(ctx, []);
  }
  const counted = await countOnceReporting(ctx, { $inc: { 'auth.failures': 1 }, $push: { timeline: timelineEntry(now, 'password-rejected', {}) } });
  // Every wrong PIN counts toward the target's lockout, whatever the session: hanging up after two
  // guesses no longer resets anything. A step run again (Twilio's retry) is not a second guess.
  if (counted.first && (await countWrongPin(ctx.deps, ctx.s))) {
    return endSession(ctx, 'target-locked-out', sayAndHangup(ctx.speech, ctx.talk.line('tooManyPasswordTries')));
  }
  if ((counted.session?.auth.failures ?? PIN_TRIES) < PIN_TRIES) return pinPrompt(ctx, [ctx.talk.line('wrongPassword')]);
  await updateSession(ctx.deps.db, ctx.s._id, { $set: { 'auth.failedSession': true } });
  return endSession(ctx, 'password-failed', sayAndHangup(ctx.speech, ctx.talk.line('tooManyPasswordTries')));
}
