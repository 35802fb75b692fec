import { createHash } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import { authorizedCallerModel } from '../../models/authorized-caller';
import type { CallSessionDoc } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { reservationModel, type ReservationDoc } from '../../models/reservation';
import { allocateCharge, bothLegsTimeLimit, callbackPlacementHold } from './both-legs';
import { callCost, type Rate } from './rating';
import { reserveCredit, settleReservation, type ReserveResult } from './reservations';

/**
 * The callback leg's money, on the reservation machinery of the dials: a hold when the callback is
 * placed (seq 0), one more with each dial (seq = the dial's step), all settled together once from that
 * attempt's final duration. Each hold's id is derived from (session, attempt, seq), so a job or a step
 * run again after a crash finds its hold instead of taking a second one.
 */

/** How long after placing a hold the sweeper first asks Twilio about a callback leg nobody settled. */
export const CALLBACK_SETTLE_GRACE_MS = 15 * 60_000;

/** A hold's seq is 0 or a conversation step, and a session has at most 60 steps (step-guard's MAX_STEPS). */
const MAX_SEQ = 64;

export function callbackHoldId(sessionId: Types.ObjectId, attempt: number, seq: number): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(`${String(sessionId)}:callback:${attempt}:${seq}`).digest('hex').slice(0, 24));
}

export type PlacementHold = { ok: true } | { ok: false; reason: 'client-no-credit' | 'authorized-caller-no-credit' };

/**
 * Before `calls.create`: holds up to CALLBACK_PREDIAL_SECONDS of the callback leg (at least its first
 * increment) on the client's balance and a limited caller ID's allowance. Nothing is held when the leg
 * is free for the client (no `callbackRate`).
 */
export async function holdCallbackPlacement(db: Connection, s: CallSessionDoc, now: Date): Promise<PlacementHold> {
  const rate = s.callbackRate;
  if (!rate || !s.target) return { ok: true };
  const [client, caller] = await Promise.all([
    clientModel(db).findById(s.clientId, { balance: 1, unlimitedCredit: 1 }).lean(),
    s.authorizedCallerId ? authorizedCallerModel(db).findById(s.authorizedCallerId, { unlimited: 1, available: 1 }).lean() : null,
  ]);
  if (!client) return { ok: false, reason: 'client-no-credit' };
  const callerLimited = caller && !caller.unlimited ? caller : null;
  let available = client.unlimitedCredit ? Number.POSITIVE_INFINITY : client.balance;
  if (callerLimited) available = Math.min(available, callerLimited.available);
  // Unlimited on both sides: hold nothing, but keep the hold document that the charge settles on.
  const hold = Number.isFinite(available) ? callbackPlacementHold(available, rate) : { seconds: rate.initialSeconds, amount: 0 };
  const refusal = callerLimited && callerLimited.available < callCost(rate.initialSeconds, rate) ? 'authorized-caller-no-credit' : 'client-no-credit';
  const attempt = s.callback.attempts;
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
  return r.ok ? { ok: true } : { ok: false, reason: refusal };
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
 * (a later or repeated report of it changes nothing), the charge is split over the holds in order.
 * A busy, unanswered or failed attempt has duration 0 and costs nothing. Returns the attempt's charge.
 */
export async function settleCallbackAttempt(
  db: Connection,
  sessionId: Types.ObjectId,
  attempt: number,
  report: { duration: number; callSid: string | null },
  now: Date,
): Promise<{ charge: number; settledNow: boolean }> {
  const holds = await attemptHolds(db, sessionId, attempt);
  if (holds.length === 0) return { charge: 0, settledNow: false };
  const fixed = holds.find((h) => h.state !== 'held' && h.duration !== null);
  const duration = fixed?.duration ?? Math.max(0, Math.floor(report.duration));
  const rate: Rate = holds[0]!.rate;
  const shares = allocateCharge(callCost(duration, rate), holds.map(capOf));
  let charge = 0;
  let settledNow = false;
  for (const [i, h] of holds.entries()) {
    if (h.state === 'settled') {
      charge += h.charge ?? 0;
      continue;
    }
    const r = await settleReservation(db, h._id, { duration, dialCallSid: fixed?.dialCallSid ?? report.callSid, charge: shares[i]! }, now);
    charge += r.charge;
    settledNow ||= !r.alreadySettled;
  }
  return { charge, settledNow };
}

/** What the current attempt holds for the callback leg, for pricing a dial with both legs. */
export function heldFor(holds: readonly ReservationDoc[]): number {
  return holds.reduce((sum, h) => sum + (h.state === 'held' ? Math.max(h.clientAmount, h.callerAmount) : 0), 0);
}

export interface DialWithCallbackInput {
  session: CallSessionDoc;
  step: number;
  reservationId: Types.ObjectId;
  client: { _id: Types.ObjectId; unlimitedCredit: boolean; balance: number };
  caller: { id: Types.ObjectId; unlimited: boolean; available: number } | null;
  rate: Rate;
  destination: string;
  now: Date;
}

/**
 * The credit for a dial while the callback leg runs: the longest time limit for which what is left
 * pays both legs until the dial ends (bothLegsTimeLimit), held as two pieces: more for the callback
 * leg (a hold with seq = this step) and the dial's own reservation. With a free callback leg this is
 * the dial alone, as before.
 */
export async function reserveDialWithCallbackLeg(db: Connection, input: DialWithCallbackInput): Promise<ReserveResult> {
  const { session: s, client, caller, rate, destination, now } = input;
  const base = {
    sessionId: s._id,
    clientId: client._id,
    clientUnlimited: client.unlimitedCredit,
    clientBalance: client.balance,
    caller,
    destination,
    now,
  };
  const callerLimited = caller && !caller.unlimited ? caller : null;
  let available = client.unlimitedCredit ? Number.POSITIVE_INFINITY : client.balance;
  if (callerLimited) available = Math.min(available, callerLimited.available);
  const cbRate = s.callbackRate;
  if (!cbRate || !Number.isFinite(available)) return reserveCredit(db, { ...base, rate, reservationId: input.reservationId });

  const attempt = s.callback.attempts;
  const holds = await attemptHolds(db, s._id, attempt);
  if (input.step > MAX_SEQ) return { ok: false, reason: 'insufficient-credit' };
  // The callback leg already ended (its final status came first): nothing more to talk on.
  if (holds.some((h) => h.state !== 'held' && h.seq === 0)) return { ok: false, reason: 'insufficient-credit' };
  const elapsed = s.callback.answeredAt ? Math.max(0, (now.getTime() - s.callback.answeredAt.getTime()) / 1000) : 0;
  const limit = bothLegsTimeLimit(available, rate, { rate: cbRate, elapsed, held: heldFor(holds) });
  if (limit.seconds <= 0) return { ok: false, reason: 'insufficient-credit' };
  if (limit.callbackExtra > 0) {
    const more = await reserveCredit(db, {
      ...base,
      rate: cbRate,
      destination: s.target ?? destination,
      reservationId: callbackHoldId(s._id, attempt, input.step),
      callbackLeg: { attempt, seq: input.step },
      fixed: { seconds: limit.callbackSeconds, amount: limit.callbackExtra },
      settleGraceMs: CALLBACK_SETTLE_GRACE_MS,
    });
    if (!more.ok) return more;
  }
  // The dial's amount is the one priced with both legs, not all that the balance would pay.
  return reserveCredit(db, {
    ...base,
    rate,
    reservationId: input.reservationId,
    fixed: { seconds: limit.seconds, amount: limit.dialAmount },
  });
}
