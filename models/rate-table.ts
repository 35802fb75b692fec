import { Schema, type Types, type Connection, type Model } from 'mongoose';

/** Prices per destination prefix; money as integer ten-thousandths. */
export interface RateDoc {
  prefix: string;
  perMinute: number;
  initialSeconds: number;
  incrementSeconds: number;
  connectFee: number;
}

export interface RateTableDoc {
  _id: Types.ObjectId;
  name: string;
  currency: string;
  rates: RateDoc[];
  createdAt: Date;
  updatedAt: Date;
}

const rateSchema = new Schema<RateDoc>(
  {
    prefix: { type: String, required: true },
    perMinute: { type: Number, required: true },
    initialSeconds: { type: Number, required: true },
    incrementSeconds: { type: Number, required: true },
    connectFee: { type: Number, required: true },
  },
  { _id: false },
);

export const rateTableSchema = new Schema<RateTableDoc>(
  {
    name: { type: String, required: true },
    currency: { type: String, required: true },
    rates: { type: [rateSchema], default: [] },
  },
  { collection: 'rate_tables', versionKey: false, timestamps: true },
);
rateTableSchema.index({ name: 1 }, { unique: true });

export type RateTableModel = Model<RateTableDoc>;
export const rateTableModel = (conn: Connection): RateTableModel => (conn.models.RateTable as RateTableModel | undefined) ?? conn.model<RateTableDoc>('RateTable', rateTableSchema);
