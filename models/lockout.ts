import { Schema, type Types, type Connection, type Model } from 'mongoose';

/** A callback target locked out of an extension after repeated failed password sessions. */
export interface LockoutDoc {
  _id: string; // `<extensionId>:<target>`
  extensionId: Types.ObjectId;
  target: string;
  until: Date;
  failedSessions: number;
  createdAt: Date;
}

export const lockoutSchema = new Schema<LockoutDoc>(
  {
    _id: { type: String, required: true },
    extensionId: { type: Schema.Types.ObjectId, required: true },
    target: { type: String, required: true },
    until: { type: Date, required: true },
    failedSessions: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'lockouts', versionKey: false },
);

export type LockoutModel = Model<LockoutDoc>;
export const lockoutModel = (conn: Connection): LockoutModel => (conn.models.Lockout as LockoutModel | undefined) ?? conn.model<LockoutDoc>('Lockout', lockoutSchema);
