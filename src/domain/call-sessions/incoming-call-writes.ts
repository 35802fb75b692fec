import type { Connection, Types } from 'mongoose';
import { callbackLockModel } from '../../../models/callback-lock';
import { callSessionModel, type CallSessionDoc } from '../../../models/call-session';
import { inboundCallModel, type InboundCallDoc } from '../../../models/inbound-call';
import type { Clock } from '../../clock';
import { insertBatched } from '../../db/batched-insert';
import { isDuplicateKey } from '../../db/duplicate-key';
import { queuedEvent } from '../events/call-events';
import { emitCallEvent } from '../events/emit';

export type { InboundCallDoc };

/**
 * The writes of the incoming-call webhook (src/callflow/incoming-call.ts), each batched with the other
 * webhooks in flight (insertBatched): the idempotency key of the inbound CallSid, the session, and the
 * "one callback per target" lock.
 */

/** The idempotency key; a duplicate key error means this CallSid was seen already (findInboundCall). */
export function insertInboundCall(db: Connection, doc: { _id: string; sessionId: Types.ObjectId; ringEndsAt: Date }): Promise<void> {
  return insertBatched(db, inboundCallModel(db), doc);
}

export function findInboundCall(db: Connection, callSid: string): Promise<InboundCallDoc | null> {
  return inboundCallModel(db).findById(callSid).lean().exec();
}

/**
 * A session that will get a callback (`queued`, or `scheduled` for later) emits `callback.queued` in the
 * same round as its insert, whoever stores it (a ring, an API or SMS request): the event's delivery
 * checks that the session exists before it is sent.
 */
export async function insertSession(db: Connection, doc: Partial<CallSessionDoc>, opts: { dueAt?: Date | null } = {}): Promise<void> {
  const stored = insertBatched(db, callSessionModel(db), doc);
  const status = doc.status as string | undefined;
  if ((status !== 'queued' && status !== 'scheduled') || !doc._id || !doc.clientId || !doc.extensionId) return stored;
  const at = doc.timeline?.at(-1)?.at ?? doc.createdAt ?? new Date();
  const event = emitCallEvent(db, queuedEvent({ ...doc, _id: doc._id, clientId: doc.clientId, extensionId: doc.extensionId, target: doc.target ?? null }, at, opts.dueAt));
  const [s, e] = await Promise.allSettled([stored, event]);
  if (s.status === 'rejected') throw s.reason;
  if (e.status === 'rejected') throw e.reason;
}

/** "One callback per target and extension at a time": false when another callback to this target is active. */
export async function takeCallbackLock(db: Connection, clock: Clock, sessionId: Types.ObjectId, extensionId: Types.ObjectId, target: string): Promise<boolean> {
  const _id = `${extensionId}:${target}`;
  try {
    await insertBatched(db, callbackLockModel(db), { _id, sessionId, createdAt: clock.now() });
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // Held by this very session when an interrupted first attempt took it.
    const holder = await callbackLockModel(db).findById(_id, { sessionId: 1 }).lean();
    return holder !== null && String(holder.sessionId) === String(sessionId);
  }
}
