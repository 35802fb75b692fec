import type { Connection, Types } from 'mongoose';
import { lockoutModel, type LockoutDoc } from '../../../models/lockout';

export type { LockoutDoc };

/**
 * Lockouts of a callback target from an extension after repeated wrong PINs (the rule is in
 * src/callflow/pin-lockout.ts). They are configuration the incoming webhook caches, so whoever writes
 * one also marks the configuration changed.
 */

export async function lockOutTarget(db: Connection, lockout: { extensionId: Types.ObjectId; target: string; until: Date; failedSessions: number; createdAt: Date }): Promise<void> {
  await lockoutModel(db).updateOne({ _id: `${lockout.extensionId}:${lockout.target}` }, { $set: lockout }, { upsert: true });
}

/** An extension's lockouts that had not ended at `now` (bounded: the caller checks `until` again). */
export function activeLockouts(db: Connection, extensionId: Types.ObjectId, now: Date): Promise<LockoutDoc[]> {
  return lockoutModel(db)
    .find({ extensionId, until: { $gt: now } })
    .limit(1000)
    .lean()
    .exec();
}
