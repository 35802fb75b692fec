import { recordEvent } from '../../domain/call-sessions/session-events';
import { updateSession } from '../../domain/call-sessions/conversation-store';
import { coverNextStep } from '../../domain/reservations/callback-leg-cover';
import type { Ctx } from './context';

/** Holds more for the callback leg when its holds would not pay this step (src/domain/reservations/callback-leg-cover.ts). */
export async function coverStep(ctx: Ctx): Promise<boolean> {
  const now = ctx.deps.clock.now();
  const cover = await coverNextStep(ctx.deps.db, ctx.s, ctx.step, now);
  if (cover.ok && cover.coveredSeconds !== undefined) await updateSession(ctx.deps.db, ctx.s._id, { $set: { 'callback.coveredSeconds': cover.coveredSeconds } });
  if (!cover.ok) await recordEvent(ctx.deps.db, ctx.s._id, now, 'callback-leg-credit-ended', {});
  return cover.ok;
}
