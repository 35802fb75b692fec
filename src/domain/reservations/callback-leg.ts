import { createHash } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import { authorizedCallerModel } from '../../../models/authorized-caller';
import { clientModel } from '../../../models/client';
import { reservationModel, type ReservationDoc } from '../../../models/reservation';
import { allocateCharge, callbackPlacementHold } from '../../billing/both-legs';
import { callCost, type Rate } from '../../billing/rating';
import type { CallSessionDoc } from '../call-sessions/sessions';
import { reserveCredit, settleReservation, type SettleResult } from './reservations';

/**
 * The callback leg's money, on the reservation machinery of the dials: a hold when the callback is
 * placed (seq 0), more when its conversation runs past what is held (seq 2 * step) and with each dial
 * (seq 2 * step + 1), so seq follows the order in which they are taken. All settle together once from
 * that attempt's final duration. Each hold's id is derived from (session, attempt, seq), so a job or a
 * step run again after a crash finds its hold instead of taking a second one.
 */

/** How long after placing a hold the sweeper first asks Twilio about a callback leg nobody settled. */
export const CALLBACK_SETTLE_GRACE_MS = 15 * 60_000;

/** A session has at most 60 steps (step-guard's MAX_STEPS); two holds per step at most. */
const MAX_STEP = 64;
const MAX_SEQ = 2 * MAX_STEP + 1;

/** The seq of the hold taken before a step runs past what is held, and of the hold a dial takes. */
export const topUpSeq = (step: number) => 2 * step;
export const dialSeq = (step: number) => 2 * step + 1;
export const seqFits = (step: number) => step >= 1 && step <= MAX_STEP;

export function callbackHoldId(sessionId: Types.ObjectId, attempt: number, seq: number): Types.ObjectId {
  return new Types.ObjectId(
    createHash('sha256')
      .update(`${String(sessionId)}:callback:${attempt}:${seq}`)
      .digest('hex')
      .slice(0, 24),
  );
}

export type PlacementHold = { ok: true; coveredSeconds: number | null } | { ok: false; reason: 'client-no-credit' | 'authorized-caller-no-credit' | 'no-rate' };

/**
 * Before `calls.create`: the credit must still pay the callback leg's first increment plus the cheapest
 * dial's (`cheapestDial`, null: nothing can be dialed), the caller ID's allowance too when limited.
 * Then up to CALLBACK_PREDIAL_SECONDS of the callback leg are held (nothing when the leg is free for
 * the client: no `callbackRate`). `coveredSeconds`: the callback-leg seconds held for, null when none
 * need holding (a free leg, unlimited credit).
 */
export async function holdCallbackPlacement(db: Connection, s: CallSessionDoc, now: Date, cheapestDial: number | null): Promise<PlacementHold> {
  const rate = s.callbackRate;
  if (!s.target) return { ok: true, coveredSeconds: null };
  if (cheapestDial === null) return { ok: false, reason: 'no-rate' };
  const attempt = s.callback.attempts;
  const [client, caller, earlier] = await Promise.all([
    clientModel(db).findById(s.clientId, { balance: 1, unlimitedCredit: 1 }).lean(),
    s.authorizedCallerId ? authorizedCallerModel(db).findById(s.authorizedCallerId, { unlimited: 1, available: 1 }).lean() : null,
    reservationModel(db)
      .findById(callbackHoldId(s._id, attempt, 0), { state: 1, clientAmount: 1, callerAmount: 1 })
      .lean(),
  ]);
  if (!client) return { ok: false, reason: 'client-no-credit' };
  const callerLimited = caller && !caller.unlimited ? caller : null;
  // The same attempt run again (after a REST error or a restart) finds its own hold: that is its credit too.
  const own = earlier?.state === 'held' ? earlier : null;
  const needed = Math.max(1, (rate ? callCost(rate.initialSeconds, rate) : 0) + cheapestDial);
  if (callerLimited && callerLimited.available + (own?.callerAmount ?? 0) < needed) return { ok: false, reason: 'authorized-caller-no-credit' };
  if (!client.unlimitedCredit && client.balance + (own?.clientAmount ?? 0) < needed) return { ok: false, reason: 'client-no-credit' };
  if (!rate) return { ok: true, coveredSeconds: null };
  let available = client.unlimitedCredit ? Number.POSITIVE_INFINITY : client.balance;
  if (callerLimited) available = Math.min(available, callerLimited.available);
  // Unlimited on both sides: hold nothing, but keep the hold document that the charge settles on.
  const limited = Number.isFinite(available);
  const hold = limited ? callbackPlacementHold(available, rate) : { seconds: rate.initialSeconds, amount: 0 };
  const r = await reserveCredit(db, {
    reservationId: callbackHoldId(s._id, attempt, 0),
    callbackLeg: { attempt, seq: 0 },
    fixed: hold.seconds > 0 ? hold : { seconds: 0, amount: 0 },
    sessionId: s._id,
    clientId: s.clientId,
    clientUnlimited: client.unlimitedCredit,
    clientBalance: client.balance,
    caller: caller ? { id: caller._id, unlimited: caller.unlimited, available: caller.available } : null,
    rate,
    destination: s.target,
    now,
    settleGraceMs: CALLBACK_SETTLE_GRACE_MS,
  });
  // An attempt run again gets its first hold back as it was taken: that is what it covers.
  if (r.ok) return { ok: true, coveredSeconds: limited ? r.reservation.seconds : null };
  // Another call took the credit meanwhile: the side that binds names the refusal.
  const callerBinds = callerLimited !== null && (client.unlimitedCredit || callerLimited.available < client.balance);
  return { ok: false, reason: callerBinds ? 'authorized-caller-no-credit' : 'client-no-credit' };
}

/** The holds of one callback attempt that carry money, in settlement order. */
export async function attemptHolds(db: Connection, sessionId: Types.ObjectId, attempt: number): Promise<ReservationDoc[]> {
  // By _id only (the ids are derived): the embedded database answers only _id lookups from an index.
  const ids = Array.from({ length: MAX_SEQ + 1 }, (_, seq) => callbackHoldId(sessionId, attempt, seq));
  const docs = await reservationModel(db)
    .find({ _id: { $in: ids } })
    .lean();
  return docs.filter((d) => ['held', 'settling', 'settled'].includes(d.state)).sort((a, b) => a.seq - b.seq);
}

/** What a hold may be charged: what it took (from the client, else from the caller ID); unlimited: no bound. */
const capOf = (r: ReservationDoc) => (r.clientAmount > 0 ? r.clientAmount : r.callerAmount > 0 ? r.callerAmount : Number.POSITIVE_INFINITY);

/**
 * Charges a callback attempt once from its answered duration: the first settlement fixes the duration
 * (a later or repeated report of it changes nothing), the charge is split over the holds in seq order
 * (allocateCharge), each at most what it holds. A hold settled or being settled keeps the share it was
 * given; only the rest of the charge is split over the holds still open (one taken while the attempt
 * was being settled included), so the shares never add up to more than the charge.
 * A busy, unanswered or failed attempt has duration 0 and costs nothing. Returns the attempt's charge.
 */
export async function settleCallbackAttempt(
  db: Connection,
  sessionId: Types.ObjectId,
  attempt: number,
  report: { duration: number; callSid: string | null },
  now: Date,
): Promise<{ charge: number; settledNow: boolean; booked: SettleResult['booked'] }> {
  const holds = await attemptHolds(db, sessionId, attempt);
  if (holds.length === 0) return { charge: 0, settledNow: false, booked: null };
  const fixed = holds.find((h) => h.state !== 'held' && h.duration !== null);
  const duration = fixed?.duration ?? Math.max(0, Math.floor(report.duration));
  const rate: Rate = holds[0]!.rate;
  const given = (h: ReservationDoc) => (h.state === 'settled' ? (h.charge ?? 0) : h.state === 'settling' ? (h.allotted ?? null) : null);
  const open = holds.filter((h) => given(h) === null);
  const rest = callCost(duration, rate) - holds.reduce((sum, h) => sum + (given(h) ?? 0), 0);
  const split = allocateCharge(rest, open.map(capOf));
  const shares = new Map(open.map((h, i) => [String(h._id), split[i]!]));
  let charge = 0;
  let settledNow = false;
  // The holds are all the client's, in one currency: what this run took of them adds up.
  let booked = 0;
  let currency: string | null = null;
  for (const h of holds) {
    if (h.state === 'settled') {
      charge += h.charge ?? 0;
      continue;
    }
    const share = given(h) ?? shares.get(String(h._id)) ?? 0;
    const r = await settleReservation(db, h._id, { duration, dialCallSid: fixed?.dialCallSid ?? report.callSid, charge: share }, now);
    charge += r.charge;
    settledNow ||= !r.alreadySettled;
    if (r.booked) {
      booked += r.booked.amount;
      currency = r.booked.currency;
    }
  }
  return { charge, settledNow, booked: currency === null ? null : { amount: booked, currency } };
}
