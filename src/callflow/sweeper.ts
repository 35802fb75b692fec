import type { AppDeps } from '../deps';
import { clearExpiredAuthFailures } from '../security/auth-throttle';
import { callbackCallSidOf, recordSettledBySweeper, releaseStaleLocks, requeueOrphans } from '../domain/call-sessions/sweeper-repairs';
import { repairPendingEntries } from '../domain/ledger';
import { otherDialCallSids, overdueReservations, repairReservations } from '../domain/reservations/reservation-repairs';
import { settleReservation, type ReservationDoc } from '../domain/reservations/reservations';
import { settleCallbackLegFromTwilio } from './callback-leg-charge';

const BATCH = 200;

export interface SweepReport {
  reservationsSettled: number;
  reservationsRepaired: number;
  locksReleased: number;
  sessionsRepaired: number;
  ledgerEntriesRepaired: number;
  authFailuresCleared: number;
}

/**
 * Puts right what a crash, a lost webhook or a late callback left behind, so nothing holds credit or a
 * lock forever: reservations nobody settled (their duration asked from Twilio), half-taken
 * reservations, locks of finished sessions, sessions that lost their job, pending ledger entries.
 * Every step is idempotent; several instances may run it at once.
 */
export async function sweep(deps: AppDeps): Promise<SweepReport> {
  const now = deps.clock.now();
  return {
    reservationsRepaired: await repairReservations(deps.db, new Date(now.getTime() - 2 * 60_000), BATCH),
    reservationsSettled: await settleForgotten(deps),
    locksReleased: await releaseStaleLocks(deps.db, new Date(now.getTime() - 6 * 3600_000), BATCH),
    sessionsRepaired: await requeueOrphansCounted(deps),
    ledgerEntriesRepaired: await repairPendingEntries(deps.db, new Date(now.getTime() - 5 * 60_000)),
    // The limiter's windows end on the database's wall clock (Date.now), not the injected clock.
    authFailuresCleared: await clearExpiredAuthFailures(deps.db, new Date()),
  };
}

/** Sessions that lost their job get it back; those stuck ringing end, counted in the metrics. */
async function requeueOrphansCounted(deps: AppDeps): Promise<number> {
  const { repaired, interrupted } = await requeueOrphans(deps.db, deps.clock.now(), BATCH);
  if (interrupted > 0) deps.metrics.sessionEnded('failed', 'interrupted', interrupted);
  return repaired;
}

/** The <Dial action> never came: ask Twilio how long the call lasted, then settle. */
async function settleForgotten(deps: AppDeps): Promise<number> {
  const now = deps.clock.now();
  const due = await overdueReservations(deps.db, now, BATCH);
  let settled = 0;
  for (const r of due) {
    try {
      if (r.leg === 'callback') {
        if (await settleCallbackLegFromTwilio(deps, r)) settled++;
        continue;
      }
      const duration = await durationFromTwilio(deps, r);
      const { booked } = await settleReservation(deps.db, r._id, { duration: duration.seconds, dialCallSid: duration.sid }, now);
      if (booked) deps.metrics.charged('dial', booked.currency, booked.amount);
      await recordSettledBySweeper(deps.db, r.sessionId, now, { reservationId: String(r._id), duration: duration.seconds });
      settled++;
    } catch (err) {
      deps.logger.warn({ err, reservationId: String(r._id) }, 'could not settle a forgotten reservation yet; will retry');
    }
  }
  return settled;
}

async function durationFromTwilio(deps: AppDeps, r: ReservationDoc): Promise<{ seconds: number; sid: string | null }> {
  const read = (c: { sid: string; duration?: string | null; status?: string }) => ({
    seconds: c.status === 'completed' ? Number.parseInt(c.duration ?? '0', 10) || 0 : 0,
    sid: c.sid,
  });
  if (r.dialCallSid) return read(await deps.twilio.calls(r.dialCallSid).fetch());
  const parent = await callbackCallSidOf(deps.db, r.sessionId);
  if (!parent) return { seconds: 0, sid: null };
  const children = await deps.twilio.calls.list({ parentCallSid: parent, limit: 20 });
  // A session may have dialed several times (the same number, too): a leg another reservation was
  // settled from is not this one's.
  const taken = await otherDialCallSids(deps.db, r);
  const free = children.filter((c) => !taken.has(c.sid));
  const child = free.find((c) => c.to === r.destination || c.to?.includes(r.destination.slice(1))) ?? free[0];
  return child ? read(child) : { seconds: 0, sid: null };
}
