import type { AppDeps } from '../deps';
import { settleCallbackAttempt } from '../domain/reservations/callback-leg';
import { postponeSettlement } from '../domain/reservations/reservation-repairs';
import type { ReservationDoc } from '../domain/reservations/reservations';
import { recordEvent } from '../domain/call-sessions/session-events';
import { findSessionCallback, type CallSessionDoc } from '../domain/call-sessions/sessions';

/** Twilio's final call statuses; only `completed` has answered time (a machine's included). */
export const FINAL_CALL_STATUSES = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/** The events that name an attempt's CallSid: placed by us, or adopted after a create with an unknown outcome. */
const NAMES_CALL = new Set(['callback-placed', 'callback-adopted']);

function namedCalls(s: Pick<CallSessionDoc, 'timeline'>): { callSid: string; attempt: number }[] {
  const out: { callSid: string; attempt: number }[] = [];
  for (const e of s.timeline ?? []) {
    const d = e.detail as { callSid?: unknown; attempt?: unknown } | undefined;
    if (NAMES_CALL.has(e.event) && typeof d?.callSid === 'string' && typeof d.attempt === 'number') out.push({ callSid: d.callSid, attempt: d.attempt });
  }
  return out;
}

/**
 * The callback attempt a CallSid is: the current one, or an earlier one named by its `callback-placed`
 * or `callback-adopted` event. null when the CallSid is none of this session's callbacks.
 */
export function attemptOf(s: Pick<CallSessionDoc, 'callback' | 'timeline'>, callSid: string): number | null {
  if (s.callback.callSid === callSid) return s.callback.attempts;
  return namedCalls(s).find((c) => c.callSid === callSid)?.attempt ?? null;
}

/**
 * A callback leg's final status callback charges that attempt from its CallDuration, once: repeated
 * or late reports find it settled. A busy, unanswered or failed attempt costs nothing; an attempt a
 * machine answered is charged like any answered call, since Twilio bills it.
 */
export async function chargeCallbackLeg(
  deps: AppDeps,
  s: CallSessionDoc,
  p: { CallSid: string; CallStatus: string; CallDuration?: string | undefined; AnsweredBy?: string | undefined },
): Promise<void> {
  if (!FINAL_CALL_STATUSES.has(p.CallStatus)) return;
  const attempt = attemptOf(s, p.CallSid);
  if (attempt === null) return;
  const duration = p.CallStatus === 'completed' ? Math.max(0, Number.parseInt(p.CallDuration ?? '0', 10) || 0) : 0;
  const now = deps.clock.now();
  const { charge, settledNow, booked } = await settleCallbackAttempt(deps.db, s._id, attempt, { duration, callSid: p.CallSid }, now);
  if (booked) deps.metrics.charged('callback', booked.currency, booked.amount);
  if (!settledNow) return;
  const machine = s.callback.machine || /^(machine_|fax$)/.test(p.AnsweredBy ?? '');
  await recordEvent(deps.db, s._id, now, 'callback-leg-charged', { callSid: p.CallSid, attempt, status: p.CallStatus, duration, charge, machine });
}

/** How long the sweeper waits before asking Twilio again about a callback leg that is still live. */
const STILL_LIVE_RECHECK_MS = 5 * 60_000;

/**
 * The sweeper's part: a callback-leg hold nobody settled (its final status callback was lost). Its
 * attempt's call is asked from Twilio: final, it is charged from the Call resource's duration; still
 * live, it is looked at again later; never placed (no CallSid), it is released. Returns true when settled.
 */
export async function settleCallbackLegFromTwilio(deps: AppDeps, r: ReservationDoc): Promise<boolean> {
  const now = deps.clock.now();
  const s = await findSessionCallback(deps.db, r.sessionId);
  const attempt = r.attempt ?? 0;
  const sid = s ? callSidOf(s, attempt) : null;
  if (!sid) {
    if (s && s.callback.attempts === attempt && !['completed', 'failed', 'cancelled', 'refused'].includes(s.status)) {
      await postpone(deps, r, now);
      return false;
    }
    await settleCallbackAttempt(deps.db, r.sessionId, attempt, { duration: 0, callSid: null }, now);
    return true;
  }
  const call = await deps.twilio.calls(sid).fetch();
  if (!FINAL_CALL_STATUSES.has(call.status)) {
    await postpone(deps, r, now);
    return false;
  }
  const duration = call.status === 'completed' ? Number.parseInt(String(call.duration ?? '0'), 10) || 0 : 0;
  const { charge, settledNow, booked } = await settleCallbackAttempt(deps.db, r.sessionId, attempt, { duration, callSid: sid }, now);
  if (booked) deps.metrics.charged('callback', booked.currency, booked.amount);
  if (settledNow) await recordEvent(deps.db, r.sessionId, now, 'callback-leg-charged', { callSid: sid, attempt, status: call.status, duration, charge, by: 'sweeper' });
  return true;
}

function callSidOf(s: Pick<CallSessionDoc, 'callback' | 'timeline'>, attempt: number): string | null {
  if (s.callback.attempts === attempt && s.callback.callSid) return s.callback.callSid;
  return namedCalls(s).find((c) => c.attempt === attempt)?.callSid ?? null;
}

async function postpone(deps: AppDeps, r: ReservationDoc, now: Date): Promise<void> {
  await postponeSettlement(deps.db, r._id, new Date(now.getTime() + STILL_LIVE_RECHECK_MS));
}
