import { Types } from 'mongoose';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { callbackLockModel } from '../../models/callback-lock';
import { ACTIVE_STATUSES, callSessionModel, type CallSessionDoc } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { extensionModel } from '../../models/extension';
import { jobModel } from '../../models/job';
import { lockoutModel } from '../../models/lockout';
import { phoneNumberModel } from '../../models/phone-number';
import { rateTableModel } from '../../models/rate-table';
import type { AppDeps } from '../app';
import { cheapestIncrementCost } from '../billing/rating';
import { isDuplicateKey } from '../db/duplicate-key';
import { toE164 } from '../phone';
import { decideCallback } from './decide-callback';
import { isHiddenCaller } from './hidden-caller';
import { releaseCallbackLock, timelineEntry } from './session-events';
import { rejectTwiml } from './twiml';

/** The caller's line must be free again before we ring it: the callback is placed this long after the reject. */
export const CALLBACK_DELAY_MS = 3_000;

export interface IncomingCallParams {
  CallSid: string;
  From: string;
  To: string;
  CallerName?: string | undefined;
}

export interface IncomingAnswer {
  /** How long to hold the response (the caller hears ringing), then answer `twiml`. */
  holdMs: number;
  twiml: string;
  sessionId?: string;
}

const BUSY = rejectTwiml('busy');
const REJECTED = rejectTwiml('rejected');

/**
 * An incoming call to a number that rings back to a callback extension. The session (and, when the
 * caller gets a callback, its lock and job) is stored before the response is held, so a crash during the
 * ring loses nothing. Refused callers ring exactly as long as accepted ones: a stranger cannot tell an
 * authorized number from another by the ring. Twilio's retries of this webhook find the same session.
 */
export async function handleIncomingCall(deps: AppDeps, p: IncomingCallParams): Promise<IncomingAnswer> {
  const db = deps.db;
  const now = deps.clock.now();

  const existing = await callSessionModel(db).findOne({ inboundCallSid: p.CallSid }).lean();
  if (existing) return replay(existing, now);

  const number = await phoneNumberModel(db).findOne({ number: p.To }).lean();
  if (!number?.extensionId || !number.clientId) return { holdMs: 0, twiml: REJECTED };
  const [ext, client] = await Promise.all([
    extensionModel(db).findById(number.extensionId).lean(),
    clientModel(db).findById(number.clientId).lean(),
  ]);
  if (!ext || !client || String(ext.clientId) !== String(client._id)) return { holdMs: 0, twiml: REJECTED };

  const hidden = isHiddenCaller(p.From);
  const callerE164 = hidden ? null : (toE164(p.From) ?? null);
  const [authorized, rateTable, lockouts, activeCalls] = await Promise.all([
    callerE164 ? authorizedCallerModel(db).findOne({ extensionId: ext._id, number: callerE164 }).lean() : null,
    rateTableModel(db).findById(client.rateTableId).lean(),
    lockoutModel(db).find({ extensionId: ext._id, until: { $gt: now } }).limit(1000).lean(),
    client.maxConcurrentCalls === null ? 0 : callSessionModel(db).countDocuments({ clientId: client._id, status: { $in: ACTIVE_STATUSES } }),
  ]);
  const decision = decideCallback({
    returnCalls: ext.callback.returnCalls,
    fixedNumber: ext.callback.fixedNumber,
    callerE164,
    callerHidden: hidden,
    authorizedCaller: authorized
      ? { id: String(authorized._id), enabled: authorized.enabled, unlimited: authorized.unlimited, available: authorized.available }
      : null,
    client: { unlimitedCredit: client.unlimitedCredit, balance: client.balance, activeCalls, maxConcurrentCalls: client.maxConcurrentCalls },
    cheapestIncrement: cheapestIncrementCost(rateTable?.rates ?? []),
    targetLockedOut: (t) => lockouts.some((l) => l.target === t),
  });

  const holdMs = ext.callback.triggerAfterSeconds * 1000;
  const ringEndsAt = new Date(now.getTime() + holdMs);
  const sessionId = new Types.ObjectId();
  // When the authorized caller ID is the callback target (not a fixed number), its PIN and credit apply.
  const authorizedCallerId = authorized && decision.target === callerE164 ? authorized._id : null;
  try {
    await callSessionModel(db).create({
      _id: sessionId,
      inboundCallSid: p.CallSid,
      clientId: client._id,
      extensionId: ext._id,
      calledNumber: p.To,
      callerNumber: p.From || '(empty)',
      callerName: p.CallerName?.slice(0, 100) || null,
      target: decision.target,
      authorizedCallerId,
      reason: decision.reason,
      status: decision.callback ? 'ringing' : 'refused',
      ringEndsAt,
      timeline: [
        timelineEntry(now, 'incoming', { callSid: p.CallSid, from: p.From, to: p.To }),
        timelineEntry(now, 'decision', { callback: decision.callback, reason: decision.reason, target: decision.target }),
      ],
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // The same CallSid posted again at the same moment: answer as the first one does.
    const winner = await callSessionModel(db).findOne({ inboundCallSid: p.CallSid }).lean();
    if (winner) return replay(winner, now);
    throw err;
  }

  if (decision.callback) {
    const queued = await queueFirstCallback(deps, sessionId, ext._id, decision.target, ringEndsAt);
    if (!queued) {
      await callSessionModel(db).updateOne(
        { _id: sessionId },
        {
          $set: { status: 'refused', reason: 'callback-already-active' },
          $push: { timeline: timelineEntry(now, 'decision', { callback: false, reason: 'callback-already-active' }) },
        },
      );
    }
  }
  return { holdMs, twiml: BUSY, sessionId: String(sessionId) };
}

function replay(s: CallSessionDoc, now: Date): IncomingAnswer {
  return { holdMs: Math.max(0, s.ringEndsAt.getTime() - now.getTime()), twiml: BUSY, sessionId: String(s._id) };
}

/** Takes the per-target lock, then writes the job; false when another callback to this target is active. */
async function queueFirstCallback(
  deps: AppDeps,
  sessionId: Types.ObjectId,
  extensionId: Types.ObjectId,
  target: string,
  ringEndsAt: Date,
): Promise<boolean> {
  const db = deps.db;
  try {
    await callbackLockModel(db).create({ _id: `${extensionId}:${target}`, sessionId, createdAt: deps.clock.now() });
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  try {
    await jobModel(db).create({
      key: `${sessionId}:place:1`,
      type: 'place-callback',
      sessionId,
      dueAt: new Date(ringEndsAt.getTime() + CALLBACK_DELAY_MS),
      state: 'queued',
    });
    await callSessionModel(db).updateOne({ _id: sessionId, status: 'ringing' }, { $set: { status: 'queued' } });
  } catch (err) {
    await releaseCallbackLock(db, sessionId);
    throw err;
  }
  return true;
}
