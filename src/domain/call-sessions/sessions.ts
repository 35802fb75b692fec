import type { Connection, Types } from 'mongoose';
import { ACTIVE_STATUSES, callSessionModel, type CallSessionDoc, type SessionOrigin, type SessionStatus, type TimelineEntry } from '../../../models/call-session';

export type { CallSessionDoc, SessionOrigin, SessionStatus, TimelineEntry };

/**
 * Call sessions (models/call-session.ts), the reads every part of the call flow shares. The writes live
 * beside the step that makes them: incoming-call-writes.ts, callback-attempts.ts, status-transitions.ts,
 * step-claims.ts, session-events.ts, sweeper-repairs.ts.
 */

/** The whole session, or null (a session id from a URL the caller may have made up). */
export function findSession(db: Connection, id: Types.ObjectId | string): Promise<CallSessionDoc | null> {
  return callSessionModel(db).findById(id).lean().exec();
}

export async function sessionExists(db: Connection, id: Types.ObjectId): Promise<boolean> {
  return (await callSessionModel(db).exists({ _id: id })) !== null;
}

/** The client's calls in progress, for its `maxConcurrentCalls`. */
export function countActiveSessions(db: Connection, clientId: Types.ObjectId): Promise<number> {
  return callSessionModel(db)
    .countDocuments({ clientId, status: { $in: ACTIVE_STATUSES } })
    .exec();
}

/** The parts of a session that name its callback attempts' calls (the callback-leg charge reads them). */
export function findSessionCallback(db: Connection, id: Types.ObjectId): Promise<Pick<CallSessionDoc, '_id' | 'callback' | 'timeline' | 'status'> | null> {
  return callSessionModel(db).findById(id, { callback: 1, timeline: 1, status: 1 }).lean().exec();
}

/** Whether the callback leg's final status was recorded: `callback.endedCallSid` is the current attempt's call. */
export function findCallbackEnd(db: Connection, id: Types.ObjectId): Promise<{ callback: Pick<CallSessionDoc['callback'], 'endedCallSid' | 'callSid'> } | null> {
  return callSessionModel(db).findById(id, { 'callback.endedCallSid': 1, 'callback.callSid': 1 }).lean().exec();
}

/**
 * The client's callbacks in progress that were asked for before this one (older ids): what a placement
 * must wait for under `maxConcurrentCalls`. Older first, so two placements due together never both wait
 * for each other.
 */
export function countOlderCallsInProgress(db: Connection, clientId: Types.ObjectId, sessionId: Types.ObjectId): Promise<number> {
  return callSessionModel(db)
    .countDocuments({ clientId, status: { $in: ['calling', 'answered'] }, _id: { $lt: sessionId } })
    .exec();
}
