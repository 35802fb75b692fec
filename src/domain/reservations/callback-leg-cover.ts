import type { Connection, Types } from 'mongoose';
import { authorizedCallerModel } from '../../../models/authorized-caller';
import { clientModel } from '../../../models/client';
import { reservationModel, type ReservationDoc } from '../../../models/reservation';
import { bothLegsTimeLimit, callbackTopUp } from '../../billing/both-legs';
import { attemptHolds, CALLBACK_SETTLE_GRACE_MS, callbackHoldId, dialSeq, seqFits, topUpSeq } from './callback-leg';
import type { Rate } from '../../billing/rating';
import { findCallbackEnd, type CallSessionDoc } from '../call-sessions/sessions';
import { reserveCredit, settleReservation, type ReserveInput, type ReserveResult } from './reservations';

/**
 * Keeping the callback leg paid for while it runs: before each conversation step (`coverNextStep`) and
 * with each dial (`reserveDialWithCallbackLeg`), more is held when what is held would not pay the leg
 * to the end of what comes next. The session's `callback.coveredSeconds` says how far the holds reach,
 * so a step that is well covered costs no database round trip.
 */

/** What the current attempt holds for the callback leg, for pricing a dial with both legs. */
export function heldFor(holds: readonly ReservationDoc[]): number {
  return holds.reduce((sum, h) => sum + (h.state === 'held' ? Math.max(h.clientAmount, h.callerAmount) : 0), 0);
}

/** The callback-leg seconds (from its answer) the holds pay for: each hold's `seconds` counts from the answer. */
export function coveredBy(holds: readonly ReservationDoc[]): number {
  return holds.reduce((most, h) => (h.state === 'held' ? Math.max(most, h.seconds) : most), 0);
}

/** The attempt's callback leg has ended (its final status settled a hold): nothing more to hold for it. */
const ended = (holds: readonly ReservationDoc[]) => holds.some((h) => h.state !== 'held');

type Payer = { client: { _id: Types.ObjectId; unlimitedCredit: boolean; balance: number }; caller: ReserveInput['caller'] };

function availableTo(p: Payer): number {
  const callerLimited = p.caller && !p.caller.unlimited ? p.caller : null;
  let available = p.client.unlimitedCredit ? Number.POSITIVE_INFINITY : p.client.balance;
  if (callerLimited) available = Math.min(available, callerLimited.available);
  return available;
}

export type CoverResult = { ok: true; coveredSeconds?: number } | { ok: false };

/**
 * Before conversation step `step` runs: when the callback leg's holds would not pay it to the end of
 * the step, holds more (CALLBACK_PREDIAL_SECONDS ahead, or what the credit pays). `ok: false` when the
 * credit cannot pay even the step: the call must end. `coveredSeconds` is set when it changed.
 */
export async function coverNextStep(db: Connection, s: CallSessionDoc, step: number, now: Date): Promise<CoverResult> {
  const rate = s.callbackRate;
  const covered = s.callback.coveredSeconds;
  if (!rate || covered === null || !s.callback.answeredAt || !seqFits(step)) return { ok: true };
  const elapsed = Math.max(0, (now.getTime() - s.callback.answeredAt.getTime()) / 1000);
  // The usual case: no round trip at all.
  if (callbackTopUp(elapsed, covered, 0, 0, rate).enough) return { ok: true };
  const [holds, client, caller] = await Promise.all([
    attemptHolds(db, s._id, s.callback.attempts),
    clientModel(db).findById(s.clientId, { balance: 1, unlimitedCredit: 1 }).lean(),
    s.authorizedCallerId ? authorizedCallerModel(db).findById(s.authorizedCallerId, { unlimited: 1, available: 1 }).lean() : null,
  ]);
  if (!client || ended(holds)) return { ok: true };
  const payer: Payer = { client, caller: caller ? { id: caller._id, unlimited: caller.unlimited, available: caller.available } : null };
  const available = availableTo(payer);
  if (!Number.isFinite(available)) return { ok: true, coveredSeconds: Number.MAX_SAFE_INTEGER };
  const more = callbackTopUp(elapsed, coveredBy(holds), heldFor(holds), available, rate);
  if (more.enough) return { ok: true, coveredSeconds: coveredBy(holds) };
  if (more.seconds === 0) return { ok: false };
  const r = await reserveCredit(db, {
    sessionId: s._id,
    clientId: s.clientId,
    clientUnlimited: client.unlimitedCredit,
    clientBalance: client.balance,
    caller: payer.caller,
    rate,
    destination: s.target ?? '',
    now,
    reservationId: callbackHoldId(s._id, s.callback.attempts, topUpSeq(step)),
    callbackLeg: { attempt: s.callback.attempts, seq: topUpSeq(step) },
    fixed: { seconds: more.seconds, amount: more.amount },
    settleGraceMs: CALLBACK_SETTLE_GRACE_MS,
  });
  return r.ok ? { ok: true, coveredSeconds: more.seconds } : { ok: false };
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

export type DialReserveResult = ReserveResult & { coveredSeconds?: number };

/**
 * The credit for a dial while the callback leg runs: the longest time limit for which what is left
 * pays both legs until the dial and what surrounds it end (bothLegsTimeLimit), held as two pieces: more
 * for the callback leg (a hold with seq dialSeq(step)) and the dial's own reservation. With a free
 * callback leg or unlimited credit this is the dial alone, as before.
 */
export async function reserveDialWithCallbackLeg(db: Connection, input: DialWithCallbackInput): Promise<DialReserveResult> {
  const { session: s, client, caller, rate, destination, now } = input;
  const base = { sessionId: s._id, clientId: client._id, clientUnlimited: client.unlimitedCredit, clientBalance: client.balance, caller, destination, now };
  const available = availableTo({ client, caller });
  const cbRate = s.callbackRate;
  if (!cbRate || !Number.isFinite(available)) return reserveCredit(db, { ...base, rate, reservationId: input.reservationId });
  if (!seqFits(input.step)) return { ok: false, reason: 'insufficient-credit' };

  const attempt = s.callback.attempts;
  const holds = await attemptHolds(db, s._id, attempt);
  // The callback leg already ended (its final status came first): nothing more to talk on.
  if (ended(holds)) return { ok: false, reason: 'insufficient-credit' };
  const elapsed = s.callback.answeredAt ? Math.max(0, (now.getTime() - s.callback.answeredAt.getTime()) / 1000) : 0;
  const limit = bothLegsTimeLimit(available, rate, { rate: cbRate, elapsed, held: heldFor(holds) });
  if (limit.seconds <= 0) return { ok: false, reason: 'insufficient-credit' };
  if (limit.callbackExtra <= 0) {
    const r = await reserveCredit(db, { ...base, rate, reservationId: input.reservationId, fixed: { seconds: limit.seconds, amount: limit.dialAmount } });
    return { ...r, coveredSeconds: Math.max(coveredBy(holds), limit.callbackSeconds) };
  }
  const holdId = callbackHoldId(s._id, attempt, dialSeq(input.step));
  const more = await reserveCredit(db, {
    ...base,
    rate: cbRate,
    destination: s.target ?? destination,
    reservationId: holdId,
    callbackLeg: { attempt, seq: dialSeq(input.step) },
    fixed: { seconds: limit.callbackSeconds, amount: limit.callbackExtra },
    settleGraceMs: CALLBACK_SETTLE_GRACE_MS,
  });
  if (!more.ok) return more;
  // The dial's amount is the one priced with both legs, not all that the balance would pay. Read with
  // it (no extra round trip): whether the callback leg ended while the hold was taken.
  const [dial, endedMeanwhile] = await Promise.all([
    reserveCredit(db, { ...base, rate, reservationId: input.reservationId, fixed: { seconds: limit.seconds, amount: limit.dialAmount } }),
    callbackLegEnded(db, s),
  ]);
  if (!endedMeanwhile) return { ...dial, coveredSeconds: limit.callbackSeconds };
  // Its final status may have settled the attempt without this hold: the sweeper settles it from
  // Twilio's Call resource at its next run, and there is no dial to make.
  await reservationModel(db).updateOne({ _id: holdId, state: 'held' }, { $set: { settleAfter: now } });
  if (dial.ok) await settleReservation(db, dial.reservation._id, { duration: 0, dialCallSid: null }, now);
  return { ok: false, reason: 'insufficient-credit' };
}

/**
 * The callback leg's final status was recorded on the session (`callback.endedCallSid`, written before
 * the attempt is settled): a hold written before this read is seen by that settlement or found here.
 */
async function callbackLegEnded(db: Connection, s: CallSessionDoc): Promise<boolean> {
  const now = await findCallbackEnd(db, s._id);
  return !now || (now.callback.endedCallSid !== null && now.callback.endedCallSid === now.callback.callSid);
}
