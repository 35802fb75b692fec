import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * The idempotency key of the incoming webhook: one document per inbound CallSid, keyed by `_id`. A retry or
 * a concurrent duplicate of Twilio's request finds it with an `_id` lookup, the one filter the embedded
 * FerretDB answers from its index (any other filter scans the collection), and answers the same reject
 * at the same ring end.
 */
export interface InboundCallDoc {
  _id: string;
  sessionId: Types.ObjectId;
  ringEndsAt: Date;
}

export const inboundCallSchema = new Schema<InboundCallDoc>(
  {
    _id: { type: String, required: true },
    sessionId: { type: Schema.Types.ObjectId, required: true },
    ringEndsAt: { type: Date, required: true },
  },
  { collection: 'inbound_calls', versionKey: false },
);

export type InboundCallModel = Model<InboundCallDoc>;
export const inboundCallModel = (conn: Connection): InboundCallModel =>
  (conn.models.InboundCall as InboundCallModel | undefined) ?? conn.model<InboundCallDoc>('InboundCall', inboundCallSchema);
