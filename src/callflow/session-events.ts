import type { Connection, Types } from 'mongoose';
import { callbackLockModel } from '../../models/callback-lock';
import { callSessionModel } from '../../models/call-session';

/** The session's timeline is capped so a looping call cannot grow a document without bound. */
export const MAX_TIMELINE = 200;

export function timelineEntry(at: Date, event: string, detail: Record<string, unknown> = {}) {
  return { at, event, detail };
}

export async function recordEvent(
  db: Connection,
  sessionId: Types.ObjectId,
  at: Date,
  event: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await callSessionModel(db).updateOne(
    { _id: sessionId, [`timeline.${MAX_TIMELINE - 1}`]: { $exists: false } },
    { $push: { timeline: timelineEntry(at, event, detail) } },
  );
}

/** Frees the "one callback per target" lock, only if this session holds it. */
export async function releaseCallbackLock(db: Connection, sessionId: Types.ObjectId): Promise<void> {
  await callbackLockModel(db).deleteMany({ sessionId });
}
