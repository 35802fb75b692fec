import type { Connection, Types } from 'mongoose';
import { authorizedCallerModel } from '../../../models/authorized-caller';
import { clientModel } from '../../../models/client';
import { reservationModel, type ReservationDoc } from '../../../models/reservation';

/**
 * The sweeper's reads and repairs of reservations (src/callflow/sweeper.ts runs them, and asks Twilio
 * what it needs): half-taken reservations, the ones nobody settled, a callback-leg hold to look at later.
 */

/** A reservation stuck in `reserving` (crash while taking it): held if the money was taken, else void. */
export async function repairReservations(db: Connection, olderThan: Date, batch: number): Promise<number> {
  const stuck = await reservationModel(db)
    .find({ state: 'reserving', createdAt: { $lt: olderThan } })
    .limit(batch)
    .lean();
  for (const r of stuck) {
    const taken = await clientModel(db).exists({ _id: r.clientId, pendingEntryIds: r._id });
    await reservationModel(db).updateOne({ _id: r._id, state: 'reserving' }, { $set: { state: taken ? 'held' : 'void' } });
    if (!taken && r.authorizedCallerId) {
      // The caller side is taken after the client side, so it cannot have been taken alone.
      await authorizedCallerModel(db).updateOne({ _id: r.authorizedCallerId, pendingEntryIds: r._id }, { $pull: { pendingEntryIds: r._id } });
    }
  }
  return stuck.length;
}

/** Held (or half-settled) reservations whose settlement is overdue: their <Dial action> or status never came. */
export function overdueReservations(db: Connection, now: Date, batch: number): Promise<ReservationDoc[]> {
  return reservationModel(db)
    .find({ state: { $in: ['held', 'settling'] }, settleAfter: { $lt: now } })
    .limit(batch)
    .lean()
    .exec();
}

/** The dial CallSids the session's other reservations were settled from (a leg is settled from once). */
export async function otherDialCallSids(db: Connection, r: Pick<ReservationDoc, '_id' | 'sessionId'>): Promise<Set<string>> {
  const others = await reservationModel(db)
    .find({ sessionId: r.sessionId, _id: { $ne: r._id } }, { dialCallSid: 1 })
    .lean();
  return new Set(others.map((o) => o.dialCallSid).filter((sid): sid is string => Boolean(sid)));
}

/** A held reservation is looked at again at `until` (its call is still live). */
export async function postponeSettlement(db: Connection, id: Types.ObjectId, until: Date): Promise<void> {
  await reservationModel(db).updateOne({ _id: id, state: 'held' }, { $set: { settleAfter: until } });
}
