import { Schema, type Types, type Connection, type Model } from 'mongoose';
import { storedWebhookSchema, type StoredWebhook } from './webhook-settings';

/**
 * A client (tenant) of the operator. `balance` is integer ten-thousandths of `currency`; it is only
 * ever changed with a conditional $inc (see src/domain/ledger.ts), never read-modify-written.
 * `pendingEntryIds` holds the ledger entries applied but not yet confirmed, so a crash between the
 * balance update and the ledger write can be repaired exactly once.
 */
export interface ClientDoc {
  _id: Types.ObjectId;
  name: string;
  currency: string;
  balance: number;
  unlimitedCredit: boolean;
  rateTableId: Types.ObjectId;
  /** Prices the callback leg (the call we place to the caller) when set; otherwise `rateTableId` does. */
  callbackRateTableId: Types.ObjectId | null;
  maxConcurrentCalls: number | null;
  allowPrefixes: string[];
  denyPrefixes: string[];
  pendingEntryIds: Types.ObjectId[];
  /** The client's own event webhook (models/webhook-settings.ts); null: none. */
  webhook: StoredWebhook | null;
  createdAt: Date;
  updatedAt: Date;
}

export const clientSchema = new Schema<ClientDoc>(
  {
    name: { type: String, required: true },
    currency: { type: String, required: true },
    balance: { type: Number, required: true, default: 0 },
    unlimitedCredit: { type: Boolean, default: false },
    rateTableId: { type: Schema.Types.ObjectId, required: true, index: true },
    callbackRateTableId: { type: Schema.Types.ObjectId, default: null },
    maxConcurrentCalls: { type: Number, default: null },
    allowPrefixes: { type: [String], default: [] },
    denyPrefixes: { type: [String], default: [] },
    pendingEntryIds: { type: [Schema.Types.ObjectId], default: [] },
    webhook: { type: storedWebhookSchema, default: null },
  },
  { collection: 'clients', versionKey: false, timestamps: true },
);
clientSchema.index({ name: 1 }, { unique: true });

export type ClientModel = Model<ClientDoc>;
export const clientModel = (conn: Connection): ClientModel => (conn.models.Client as ClientModel | undefined) ?? conn.model<ClientDoc>('Client', clientSchema);
