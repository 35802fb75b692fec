import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * One line of a credit history: a recharge, a call charge or an adjustment, of a client's balance or
 * of an authorized caller ID's allowance. Written `pending` before the balance changes and confirmed
 * after, so nothing is lost or doubled if the process dies in between.
 */
export type CreditEntryKind = 'initial' | 'recharge' | 'call-charge' | 'adjustment';

export interface CreditEntryDoc {
  _id: Types.ObjectId;
  clientId: Types.ObjectId;
  authorizedCallerId: Types.ObjectId | null;
  kind: CreditEntryKind;
  amount: number;
  balanceAfter: number | null;
  note: string | null;
  callId: Types.ObjectId | null;
  state: 'pending' | 'applied' | 'refused';
  createdAt: Date;
}

export const creditEntrySchema = new Schema<CreditEntryDoc>(
  {
    clientId: { type: Schema.Types.ObjectId, required: true },
    authorizedCallerId: { type: Schema.Types.ObjectId, default: null },
    kind: { type: String, enum: ['initial', 'recharge', 'call-charge', 'adjustment'], required: true },
    amount: { type: Number, required: true },
    balanceAfter: { type: Number, default: null },
    note: { type: String, default: null },
    callId: { type: Schema.Types.ObjectId, default: null },
    state: { type: String, enum: ['pending', 'applied', 'refused'], required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'credit_entries', versionKey: false },
);
creditEntrySchema.index({ clientId: 1, authorizedCallerId: 1, _id: -1 });
creditEntrySchema.index({ state: 1, createdAt: 1 });

export type CreditEntryModel = Model<CreditEntryDoc>;
export const creditEntryModel = (conn: Connection): CreditEntryModel =>
  (conn.models.CreditEntry as CreditEntryModel | undefined) ?? conn.model<CreditEntryDoc>('CreditEntry', creditEntrySchema);
