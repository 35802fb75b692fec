import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * Credit held for one outgoing dial. Taken with a conditional $inc before the <Dial> (the balance can
 * never go below zero), settled once from the dial's real duration (the <Dial action> or, when that never
 * came, the sweeper asking Twilio), and the unused rest released.
 */
export interface ReservationDoc {
  _id: Types.ObjectId;
  /**
   * Which call the money is for: the dial, or the callback leg we place to the caller. A callback
   * attempt may hold in several pieces (one when it is placed, one more per dial while both legs run);
   * they settle together from that attempt's duration, in `seq` order.
   */
  leg: 'callback' | 'dial';
  /** The callback attempt a callback-leg hold belongs to (null for a dial). */
  attempt: number | null;
  seq: number;
  sessionId: Types.ObjectId;
  clientId: Types.ObjectId;
  authorizedCallerId: Types.ObjectId | null;
  destination: string;
  rate: { prefix: string; perMinute: number; initialSeconds: number; incrementSeconds: number; connectFee: number };
  /** Held from the client balance (0 with unlimited credit) and from the caller ID's allowance (0 when unlimited). */
  clientAmount: number;
  callerAmount: number;
  seconds: number;
  /** reserving: money being taken; held: taken; settling: being settled; settled; void: never taken. */
  state: 'reserving' | 'held' | 'settling' | 'settled' | 'void';
  /** The ledger entry id of the charge on the caller ID's allowance (the client's entry uses the reservation id). */
  callerEntryId: Types.ObjectId;
  dialCallSid: string | null;
  duration: number | null;
  charge: number | null;
  /**
   * A callback-leg hold's share of its attempt's charge, stored when its settlement claims it: a run
   * that finishes a settlement another run began charges the same share, whatever holds came since.
   */
  allotted: number | null;
  /** After this, a reservation nobody settled is settled by the sweeper. */
  settleAfter: Date;
  createdAt: Date;
  settledAt: Date | null;
}

export const reservationSchema = new Schema<ReservationDoc>(
  {
    leg: { type: String, enum: ['callback', 'dial'], default: 'dial' },
    attempt: { type: Number, default: null },
    seq: { type: Number, default: 0 },
    sessionId: { type: Schema.Types.ObjectId, required: true, index: true },
    clientId: { type: Schema.Types.ObjectId, required: true },
    authorizedCallerId: { type: Schema.Types.ObjectId, default: null },
    destination: { type: String, required: true },
    rate: {
      prefix: String,
      perMinute: Number,
      initialSeconds: Number,
      incrementSeconds: Number,
      connectFee: Number,
    },
    clientAmount: { type: Number, required: true },
    callerAmount: { type: Number, required: true },
    seconds: { type: Number, required: true },
    state: { type: String, required: true },
    callerEntryId: { type: Schema.Types.ObjectId, required: true },
    dialCallSid: { type: String, default: null },
    duration: { type: Number, default: null },
    charge: { type: Number, default: null },
    allotted: { type: Number, default: null },
    settleAfter: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    settledAt: { type: Date, default: null },
  },
  { collection: 'reservations', versionKey: false },
);
reservationSchema.index({ state: 1, settleAfter: 1 });
reservationSchema.index({ clientId: 1, state: 1, createdAt: 1 });

export type ReservationModel = Model<ReservationDoc>;
export const reservationModel = (conn: Connection): ReservationModel =>
  (conn.models.Reservation as ReservationModel | undefined) ?? conn.model<ReservationDoc>('Reservation', reservationSchema);
