import type { Connection, Types } from 'mongoose';
import { callbackLockModel } from '../../models/callback-lock';
import { callSessionModel } from '../../models/call-session';

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
  // Filter on _id alone: the embedded FerretDB answers only that from an index. The timeline stays bounded
  // because a session is: at most MAX_STEPS prompts and retry.attempts (<= 5) callbacks.
  await callSessionModel(db).updateOne({ _id: sessionId }, { $push: { timeline: timelineEntry(at, event, detail) } });
}

/** Frees the "one callback per target" lock, only if this session holds it. */
export async function releaseCallbackLock(db: Connection, sessionId: Types.ObjectId): Promise<void> {
  await callbackLockModel(db).deleteMany({ sessionId });
}
