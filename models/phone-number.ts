import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * A public number of a channel. `extensionId` is the seed's "rings back to": a call to this number
 * triggers that callback extension. Looked up by `number` on every incoming call (unique index).
 */
export interface PhoneNumberDoc {
  _id: Types.ObjectId;
  number: string;
  channelId: Types.ObjectId;
  clientId: Types.ObjectId | null;
  extensionId: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

export const phoneNumberSchema = new Schema<PhoneNumberDoc>(
  {
    number: { type: String, required: true },
    channelId: { type: Schema.Types.ObjectId, required: true, index: true },
    clientId: { type: Schema.Types.ObjectId, default: null, index: true },
    extensionId: { type: Schema.Types.ObjectId, default: null, index: true },
  },
  { collection: 'phone_numbers', versionKey: false, timestamps: true },
);
phoneNumberSchema.index({ number: 1 }, { unique: true });

export type PhoneNumberModel = Model<PhoneNumberDoc>;
export const phoneNumberModel = (conn: Connection): PhoneNumberModel =>
  (conn.models.PhoneNumber as PhoneNumberModel | undefined) ?? conn.model<PhoneNumberDoc>('PhoneNumber', phoneNumberSchema);
