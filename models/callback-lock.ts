import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * "One callback per target and extension at a time": the _id is `<extensionId>:<target>`, so taking the
 * lock is an insert that fails with E11000 when a callback is already pending or in progress (FreePBX
 * rang the same number several times at once; this cannot). Released when the session ends.
 */
export interface CallbackLockDoc {
  _id: string;
  sessionId: Types.ObjectId;
  createdAt: Date;
}

export const callbackLockSchema = new Schema<CallbackLockDoc>(
  {
    _id: { type: String, required: true },
    sessionId: { type: Schema.Types.ObjectId, required: true, index: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'callback_locks', versionKey: false },
);

export type CallbackLockModel = Model<CallbackLockDoc>;
export const callbackLockModel = (conn: Connection): CallbackLockModel =>
  (conn.models.CallbackLock as CallbackLockModel | undefined) ?? conn.model<CallbackLockDoc>('CallbackLock', callbackLockSchema);
