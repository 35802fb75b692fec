import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * An authorized caller ID of an extension, with its own PIN and (as in VoipNow) its own credit:
 * `unlimited`, or `available` ten-thousandths left of `initialCredit + recharged`.
 * Looked up by (extensionId, number) on every incoming call: unique index.
 */
export interface AuthorizedCallerDoc {
  _id: Types.ObjectId;
  extensionId: Types.ObjectId;
  clientId: Types.ObjectId;
  number: string;
  name: string | null;
  pinHash: string | null;
  enabled: boolean;
  unlimited: boolean;
  initialCredit: number;
  recharged: number;
  available: number;
  pendingEntryIds: Types.ObjectId[];
  createdAt: Date;
  updatedAt: Date;
}

export const authorizedCallerSchema = new Schema<AuthorizedCallerDoc>(
  {
    extensionId: { type: Schema.Types.ObjectId, required: true },
    clientId: { type: Schema.Types.ObjectId, required: true, index: true },
    number: { type: String, required: true },
    name: { type: String, default: null },
    pinHash: { type: String, default: null },
    enabled: { type: Boolean, default: true },
    unlimited: { type: Boolean, default: true },
    initialCredit: { type: Number, default: 0 },
    recharged: { type: Number, default: 0 },
    available: { type: Number, default: 0 },
    pendingEntryIds: { type: [Schema.Types.ObjectId], default: [] },
  },
  { collection: 'authorized_callers', versionKey: false, timestamps: true },
);
authorizedCallerSchema.index({ extensionId: 1, number: 1 }, { unique: true });

export type AuthorizedCallerModel = Model<AuthorizedCallerDoc>;
export const authorizedCallerModel = (conn: Connection): AuthorizedCallerModel =>
  (conn.models.AuthorizedCaller as AuthorizedCallerModel | undefined) ?? conn.model<AuthorizedCallerDoc>('AuthorizedCaller', authorizedCallerSchema);
