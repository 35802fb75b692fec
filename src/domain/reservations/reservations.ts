import { Types, type Connection } from 'mongoose';
import { authorizedCallerModel } from '../../../models/authorized-caller';
import { clientModel } from '../../../models/client';
import { creditEntryModel } from '../../../models/credit-entry';
import { reservationModel, type ReservationDoc } from '../../../models/reservation';
import { isDuplicateKey } from '../../db/duplicate-key';
import { callCost, MAX_TALK_SECONDS, reservationFor, type Rate } from '../../billing/rating';
import { emitChargeApplied } from '../events/emit';

export type { ReservationDoc };

/**
 * Credit for a dial is taken before the <Dial> and settled once from the real duration.
 *
 * Taking it is a conditional $inc (balance >= amount) that also adds the reservation id to the owner's
 * `pendingEntryIds`; settling is a $inc of the unused rest conditional on that id still being there, and
 * pulls it. So each side is applied exactly once whatever is retried, and the balance can never go below
 * zero, even with many calls of one client at once. The call is paid from the client's balance and
 * counted against the authorized caller ID's allowance when that is limited.
 */
export interface ReserveInput {
  sessionId: Types.ObjectId;
  clientId: Types.ObjectId;
  clientUnlimited: boolean;
  clientBalance: number;
  caller: { id: Types.ObjectId; unlimited: boolean; available: number } | null;
  rate: Rate;
  destination: string;
  now: Date;
  /** How long after the dial starts a reservation nobody settled is settled by the sweeper. */
  settleGraceMs?: number;
  /**
   * The reservation's id, chosen by the caller (one per conversation step). Reserving again with the
   * same id (the step run again after a crash) takes nothing twice: a held reservation is returned as
   * it is, one left half-taken is finished, a void one stays refused.
   */
  reservationId?: Types.ObjectId;
  /** A callback-leg hold (./callback-leg.ts) instead of a dial's: its attempt and order. */
  callbackLeg?: { attempt: number; seq: number };
  /** Hold exactly this (a callback-leg hold, or a dial priced with both legs) instead of all the credit pays. */
  fixed?: { seconds: number; amount: number };
}

export type ReserveResult = { ok: true; reservation: ReservationDoc } | { ok: false; reason: 'insufficient-credit' };

export async function reserveCredit(db: Connection, input: ReserveInput): Promise<ReserveResult> {
  const callerLimited = input.caller && !input.caller.unlimited ? input.caller : null;
  let available = input.clientUnlimited ? Number.POSITIVE_INFINITY : input.clientBalance;
  if (callerLimited) available = Math.min(available, callerLimited.available);
  const { seconds, amount } = input.fixed ?? reservationFor(available, input.rate, MAX_TALK_SECONDS);
  const reservations = reservationModel(db);
  if (seconds > 0) {
    try {
      const res = await reservations.create({
        ...(input.reservationId ? { _id: input.reservationId } : {}),
        leg: input.callbackLeg ? 'callback' : 'dial',
        attempt: input.callbackLeg?.attempt ?? null,
        seq: input.callbackLeg?.seq ?? 0,
        sessionId: input.sessionId,
        clientId: input.clientId,
        authorizedCallerId: input.caller?.id ?? null,
        destination: input.destination,
        rate: input.rate,
        clientAmount: input.clientUnlimited ? 0 : amount,
        callerAmount: callerLimited ? amount : 0,
        seconds,
        state: 'reserving',
        callerEntryId: new Types.ObjectId(),
        settleAfter: new Date(input.now.getTime() + seconds * 1000 + (input.settleGraceMs ?? 15 * 60_000)),
        createdAt: input.now,
      });
      return takeCredit(db, input, res);
    } catch (err) {
      if (!input.reservationId || !isDuplicateKey(err)) throw err;
    }
  }
  // Reserving again with the same id (the balance seen may already lack what the first run took).
  const earlier = input.reservationId ? await reservations.findById(input.reservationId).lean() : null;
  if (earlier?.state === 'held') return { ok: true, reservation: earlier };
  if (earlier?.state !== 'reserving') return { ok: false, reason: 'insufficient-credit' };
  // A run that died while taking the money: finish it with its own amounts, each side taken once.
  return takeCredit(db, input, earlier);
}

/**
 * Takes a reservation's amounts, each side at most once whoever runs it (a run resumed after a crash, or
 * two runs of one step at the same time): a side whose pendingEntryIds already holds the id is taken.
 */
async function takeCredit(db: Connection, input: ReserveInput, res: { _id: Types.ObjectId; clientAmount: number; callerAmount: number }): Promise<ReserveResult> {
  const reservations = reservationModel(db);
  const callerLimited = input.caller && !input.caller.unlimited ? input.caller : null;
  const { clientAmount, callerAmount } = res;
  const notYetTaken = { pendingEntryIds: { $ne: res._id } };
  const clientTaken = await clientModel(db).updateOne(
    { _id: input.clientId, ...notYetTaken, ...(clientAmount > 0 ? { balance: { $gte: clientAmount } } : {}) },
    { $inc: { balance: -clientAmount }, $addToSet: { pendingEntryIds: res._id } },
  );
  if (!clientTaken.modifiedCount && !(await clientModel(db).exists({ _id: input.clientId, pendingEntryIds: res._id }))) {
    await reservations.updateOne({ _id: res._id }, { $set: { state: 'void' } });
    return { ok: false, reason: 'insufficient-credit' };
  }
  if (callerLimited) {
    const callerTaken = await authorizedCallerModel(db).updateOne(
      { _id: callerLimited.id, ...notYetTaken, unlimited: false, available: { $gte: callerAmount } },
      { $inc: { available: -callerAmount }, $addToSet: { pendingEntryIds: res._id } },
    );
    if (!callerTaken.modifiedCount && !(await authorizedCallerModel(db).exists({ _id: callerLimited.id, pendingEntryIds: res._id }))) {
      await clientModel(db).updateOne({ _id: input.clientId, pendingEntryIds: res._id }, { $inc: { balance: clientAmount }, $pull: { pendingEntryIds: res._id } });
      await reservations.updateOne({ _id: res._id }, { $set: { state: 'void' } });
      return { ok: false, reason: 'insufficient-credit' };
    }
  }
  const held =
    (await reservations.findOneAndUpdate({ _id: res._id, state: 'reserving' }, { $set: { state: 'held' } }, { returnDocument: 'after' }).lean()) ??
    (await reservations.findById(res._id).lean()); // the other run got there first
  if (held?.state !== 'held') return { ok: false, reason: 'insufficient-credit' };
  return { ok: true, reservation: held };
}

export interface SettleResult {
  charge: number;
  balanceAfter: number | null;
  alreadySettled: boolean;
  /**
   * The charge this run took from the client's balance, in the client's currency; null when another
   * run did (it moves once, so a caller that counts charges counts each once).
   */
  booked: { amount: number; currency: string } | null;
}

/**
 * Settles a reservation from the dial's duration (seconds); safe to call any number of times.
 * `dial.charge` is the charge a callback-leg hold was allotted (./callback-leg.ts).
 */
export async function settleReservation(
  db: Connection,
  reservationId: Types.ObjectId,
  dial: { duration: number; dialCallSid: string | null; charge?: number },
  now: Date,
): Promise<SettleResult> {
  const reservations = reservationModel(db);
  // Only a held reservation takes this run's duration. One already settling (another run is under way,
  // or died mid-way) is finished with the duration its first claim stored, never overwritten: every
  // run then computes the same charge, so the recorded charge always equals what moved.
  const claimed =
    (await reservations
      .findOneAndUpdate(
        { _id: reservationId, state: 'held' },
        { $set: { state: 'settling', duration: dial.duration, dialCallSid: dial.dialCallSid, allotted: dial.charge ?? null } },
        { returnDocument: 'after' },
      )
      .lean()) ?? (await reservations.findOne({ _id: reservationId, state: 'settling' }).lean());
  if (!claimed) {
    const done = await reservations.findById(reservationId).lean();
    return { charge: done?.charge ?? 0, balanceAfter: null, alreadySettled: true, booked: null };
  }
  // The talk time never exceeds the reservation (Twilio's timeLimit), but never charge beyond what was held.
  const callbackLeg = claimed.leg === 'callback';
  // A callback leg's holds together pay its duration: one hold's seconds do not bound it.
  const duration = Math.max(0, callbackLeg ? (claimed.duration ?? 0) : Math.min(claimed.duration ?? 0, claimed.seconds));
  // A callback-leg hold charges the share its claim stored (the run that began this settlement chose it).
  const cost = claimed.allotted ?? dial.charge ?? callCost(duration, claimed.rate);
  const note = `${callbackLeg ? 'callback leg' : 'dial leg'}: call to ${claimed.destination}, ${duration} s`;
  const charge = claimed.clientAmount > 0 ? Math.min(cost, claimed.clientAmount) : cost;

  const { balanceAfter, booked } = await settleClientSide(db, claimed, charge, note, now);

  if (claimed.authorizedCallerId && claimed.callerAmount > 0) await settleCallerSide(db, claimed, claimed.authorizedCallerId, cost, note, now);
  await reservations.updateOne({ _id: claimed._id, state: 'settling' }, { $set: { state: 'settled', charge, settledAt: now } });
  return { charge, balanceAfter, alreadySettled: false, booked };
}

/**
 * The client's side of a settlement: what it held back, less the charge, with its ledger entry and, when
 * this charge crossed a subscriber's threshold, credit.low (in the same round as the entry). Returns the
 * balance after it, and what this run booked (null when another run moved the money).
 */
async function settleClientSide(
  db: Connection,
  claimed: ReservationDoc,
  charge: number,
  note: string,
  now: Date,
): Promise<{ balanceAfter: number | null; booked: SettleResult['booked'] }> {
  const client = await clientModel(db)
    .findOneAndUpdate(
      { _id: claimed.clientId, pendingEntryIds: claimed._id },
      { $inc: { balance: claimed.clientAmount - charge }, $pull: { pendingEntryIds: claimed._id } },
      { returnDocument: 'after' },
    )
    .lean();
  const owner = client ?? (await clientModel(db).findById(claimed.clientId).lean());
  const balanceAfter = owner?.balance ?? null;
  const lowCredit =
    owner && !owner.unlimitedCredit
      ? emitChargeApplied(db, {
          clientId: claimed.clientId,
          sessionId: claimed.sessionId,
          reservationId: claimed._id,
          charge,
          balanceAfter: owner.balance,
          currency: owner.currency,
          at: now,
        })
      : undefined;
  const entry = insertEntry(db, {
    _id: claimed._id,
    clientId: claimed.clientId,
    authorizedCallerId: null,
    kind: 'call-charge',
    amount: -charge || 0, // never -0: a free call books 0
    balanceAfter,
    note,
    callId: claimed.sessionId,
    state: 'applied',
    createdAt: now,
  });
  await Promise.all([entry, lowCredit]);
  return { balanceAfter, booked: client ? { amount: charge, currency: client.currency } : null };
}

/** The authorized caller ID's side of a settlement: what it held back, less its charge, with its ledger entry. */
async function settleCallerSide(db: Connection, claimed: ReservationDoc, callerId: Types.ObjectId, cost: number, note: string, now: Date): Promise<void> {
  const callerCharge = Math.min(cost, claimed.callerAmount);
  const caller = await authorizedCallerModel(db)
    .findOneAndUpdate(
      { _id: callerId, pendingEntryIds: claimed._id },
      { $inc: { available: claimed.callerAmount - callerCharge }, $pull: { pendingEntryIds: claimed._id } },
      { returnDocument: 'after' },
    )
    .lean();
  await insertEntry(db, {
    _id: claimed.callerEntryId,
    clientId: claimed.clientId,
    authorizedCallerId: callerId,
    kind: 'call-charge',
    amount: -callerCharge || 0,
    balanceAfter: caller?.available ?? null,
    note,
    callId: claimed.sessionId,
    state: 'applied',
    createdAt: now,
  });
}

async function insertEntry(db: Connection, entry: Record<string, unknown>): Promise<void> {
  try {
    await creditEntryModel(db).create(entry);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // written by an earlier run of this settlement
  }
}
