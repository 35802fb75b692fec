import type { Types } from 'mongoose';
import type { AppDeps } from '../deps';
import { GroupBatcher } from '../db/group-batcher';
import {
  beginAttempts,
  failCallback,
  placedWrite,
  recordOutcomeUnknown,
  recordPlacements,
  requeueAfterError,
  restartAttempt,
  waitForCallSlot,
  setFoundCallSid,
  type PlacementWrite,
} from '../domain/call-sessions/callback-attempts';
import { takeCallbackLock } from '../domain/call-sessions/incoming-call-writes';
import { recordEvent, releaseCallbackLock } from '../domain/call-sessions/session-events';
import { failedEvent, placedEvent } from '../domain/events/call-events';
import { emitCallEvent } from '../domain/events/emit';
import { findSession, type CallSessionDoc } from '../domain/call-sessions/sessions';
import type { ExtensionDoc } from '../domain/extensions';
import { callbackCounterId, countEventUpTo, uncountEvent } from '../domain/call-sessions/target-counters';
import type { JobDoc } from '../domain/jobs/job-queue';
import { holdCallbackPlacement, settleCallbackAttempt } from '../domain/reservations/callback-leg';
import { backoffMs, type JobHandler, type JobOutcome } from '../jobs/job-runner';
import { ConfigCache } from './config-cache';
import { refusalAtPlacement, waitsForCallSlot } from './placement-checks';
import { voiceUrl } from './urls';

/** After this many transient failures (Twilio 5xx, timeouts) in a row, the callback is given up. */
const MAX_TRANSIENT_TRIES = 8;
/**
 * A create whose outcome is unknown (the instance died mid-request, or the request timed out or lost its
 * connection after it was sent) is looked up on Twilio after this.
 */
const UNKNOWN_CREATE_GRACE_MS = 20_000;
/** Connection errors that mean the request never reached Twilio, so no call can have been created. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** `code` is Twilio's error code on a REST answer, or a Node/axios code (ECONNABORTED...) when none came. */
function restError(err: unknown): { status: number | undefined; code: number | string | undefined; message: string } {
  const e = err as { status?: number; code?: number | string; message?: string };
  return { status: e.status, code: e.code, message: e.message ?? String(err) };
}

/** 4xx answers other than rate limiting are final: a bad number will not become good by retrying. */
function isPermanent(err: { status: number | undefined; code: number | string | undefined }): boolean {
  return err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 429 && err.code !== 20429;
}

/**
 * No HTTP answer (a timeout, a reset connection): Twilio may well have created the call. Placing it
 * again would ring the caller twice, so the attempt stays open until the call is found or known absent.
 */
function outcomeUnknown(err: { status: number | undefined; code: number | string | undefined }): boolean {
  return err.status === undefined && !NOT_SENT.has(String(err.code));
}

/** Every CallSid this session has already seen (earlier attempts, the inbound call): never the current attempt's. */
export function knownCallSids(s: Pick<CallSessionDoc, 'timeline' | 'inboundCallSid'>): Set<string> {
  const sids = new Set<string>([s.inboundCallSid]);
  for (const e of s.timeline ?? []) {
    const sid = (e.detail as { callSid?: unknown } | undefined)?.callSid;
    if (typeof sid === 'string') sids.add(sid);
  }
  return sids;
}

/**
 * The `place-callback` job: calls the target back from the number the caller dialed. The attempt is
 * marked on the session before the REST request, so an instance that takes the job over after a crash
 * first asks Twilio whether that call exists instead of placing a second one.
 */
export function placeCallbackHandler(deps: AppDeps): JobHandler {
  // Many callbacks fall due together (a burst of calls): their session writes are shared by the batch
  // (two commands to start the attempts, one to record the CallSids), not made per callback.
  const beginAttempt = new GroupBatcher<Types.ObjectId, CallSessionDoc | null>((ids) => beginAttempts(deps.db, ids, deps.clock.now()));
  const recordPlaced = new GroupBatcher<PlacementWrite, void>(async (ops) => {
    await recordPlacements(deps.db, ops);
    return ops.map(() => undefined);
  });
  const db = deps.db;
  const now = () => deps.clock.now();
  return async (job: JobDoc): Promise<JobOutcome> => {
    // The usual case first: a queued session becomes this attempt, together with the other jobs in flight.
    const begun = (await beginAttempt.submit(job.sessionId)) ?? (await resumeAttempt(deps, job));
    if (!('_id' in begun)) return begun;
    const session = begun;

    const config = ConfigCache.for(db);
    await config.refresh();
    const ext = await config.extension(session.extensionId);
    if (!ext) {
      await fail(deps, session, 'extension-deleted', {});
      return { state: 'failed', error: 'extension deleted' };
    }
    const placed = await admit(deps, config, session);
    if ('waitForSlot' in placed) return { retryAt: new Date(now().getTime() + CALL_SLOT_WAIT_MS), error: 'the client is at its concurrent-call limit', countsAsTry: false };
    if (!placed.ok) return { state: 'failed', error: placed.reason };
    // A run delayed past its lease may have been taken over: the other instance places (or adopts) the call.
    if (job.leaseUntil && job.leaseUntil.getTime() <= now().getTime()) {
      // This run places nothing: its count toward the target's cap is the other run's to make.
      await uncountEvent(db, callbackCounterId(session.target!), placed.countedAt);
      return { retryAt: now(), error: 'lease ended before the call was placed', countsAsTry: false };
    }
    const created = await createCall(deps, job, session, ext, placed);
    if (!('callSid' in created)) return created;
    const { callSid } = created;
    try {
      // The event goes with the write that records the call (its delivery checks that write is there).
      await Promise.all([
        recordPlaced.submit(placedWrite(session, callSid, placed.coveredSeconds, now())),
        emitCallEvent(db, placedEvent(session, session.callback.attempts, callSid, now())),
      ]);
    } catch (err) {
      // The call exists: the next run (or its status callback) adopts it, never places another.
      deps.logger.error({ err, sessionId: String(session._id), callSid }, 'callback placed but not recorded; it will be adopted');
      return { retryAt: new Date(now().getTime() + 5_000), error: 'placed but not recorded', countsAsTry: false };
    }
    return { state: 'done' };
  };
}

/**
 * No queued session became this attempt: the session ended, or this job is a run taken over (or
 * retried) while its attempt is open. Returns the session to place the call for, or the job's outcome.
 */
async function resumeAttempt(deps: AppDeps, job: JobDoc): Promise<CallSessionDoc | JobOutcome> {
  const db = deps.db;
  const now = () => deps.clock.now();
  const current = await findSession(db, job.sessionId);
  if (!current?.target) return { state: 'cancelled', error: 'no session' };
  if (current.status !== 'calling') return { state: 'cancelled', error: `session ${current.status}` };
  if (current.callback.callSid) {
    // Recorded, but the run that placed it may have failed to store its event: the same id, stored once.
    await emitCallEvent(db, placedEvent(current, current.callback.attempts, current.callback.callSid, now()));
    return { state: 'done' };
  }
  const adopted = await findUnrecordedCall(deps, current);
  if (adopted === 'wait') return { retryAt: new Date(now().getTime() + 5_000), error: 'waiting for an earlier attempt to report', countsAsTry: false };
  if (adopted) {
    await setFoundCallSid(db, current._id, adopted);
    await Promise.all([
      recordEvent(db, current._id, now(), 'callback-adopted', { callSid: adopted, attempt: current.callback.attempts }),
      emitCallEvent(db, placedEvent(current, current.callback.attempts, adopted, now())),
    ]);
    return { state: 'done' };
  }
  // Twilio has no such call: place it now, as a fresh start of the same attempt (a later look-up
  // measures its grace from here).
  return (await restartAttempt(db, current._id, now())) ?? { state: 'done' };
}

/** The REST request that places the call: its CallSid, or the job's outcome when Twilio did not answer with one. */
async function createCall(deps: AppDeps, job: JobDoc, session: CallSessionDoc, ext: ExtensionDoc, placed: { countedAt: Date }): Promise<{ callSid: string } | JobOutcome> {
  const db = deps.db;
  const now = () => deps.clock.now();
  const base = deps.config.publicBaseUrl;
  const sid = String(session._id);
  try {
    const call = await deps.twilio.calls.create({
      to: session.target!,
      from: session.calledNumber,
      url: voiceUrl(base, '/callback/answer', { session: sid }),
      method: 'POST',
      statusCallback: voiceUrl(base, '/status', { session: sid, leg: 'callback' }),
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      statusCallbackMethod: 'POST',
      timeout: ext.callback.retry.ringTimeoutSeconds,
      ...(ext.callback.retry.detectMachine ? { machineDetection: 'Enable' } : {}),
    });
    deps.metrics.callbackPlaced();
    return { callSid: call.sid };
  } catch (err) {
    const e = restError(err);
    if (outcomeUnknown(e)) {
      // Never given up here: the call may exist. Its status callbacks or its answer adopt it; otherwise
      // the next run asks Twilio, and places it only if Twilio has no such call.
      await recordOutcomeUnknown(db, session._id, now(), { code: e.code, message: e.message });
      return { retryAt: new Date(now().getTime() + backoffMs(job.tries)), error: e.message };
    }
    // No call rang the target: it does not count toward its hourly cap.
    await uncountEvent(db, callbackCounterId(session.target!), placed.countedAt);
    if (isPermanent(e) || job.tries + 1 >= MAX_TRANSIENT_TRIES) {
      await fail(deps, session, e.code ? `twilio-error-${e.code}` : 'twilio-error', { status: e.status, code: e.code, message: e.message });
      return { state: 'failed', error: e.message };
    }
    await requeueAfterError(db, session._id, now(), { status: e.status, code: e.code, message: e.message });
    return { retryAt: new Date(now().getTime() + backoffMs(job.tries)), error: e.message };
  }
}

type Admission = { ok: true; coveredSeconds: number | null; countedAt: Date } | { ok: false; reason: string } | { ok: false; waitForSlot: true };

/** A placement waiting for one of the client's calls to end looks again this often. */
const CALL_SLOT_WAIT_MS = 15_000;

/**
 * The checks of the moment a callback is placed (each attempt, a retry included): the credit still pays
 * the callback leg's first increment plus the cheapest dial, and is held for the leg's first minutes;
 * the target has had fewer than `maxCallbacksPerTargetPerHour` callbacks within the hour, counted
 * atomically here, so neither concurrent calls nor retries can pass the cap. Both in one round, after
 * the rules a requested callback is judged by again and the client's concurrent-call limit.
 */
async function admit(deps: AppDeps, config: ConfigCache, session: CallSessionDoc): Promise<Admission> {
  const db = deps.db;
  const countedAt = deps.clock.now();
  const [route, fraud] = await Promise.all([config.route(session.calledNumber), config.fraud()]);
  // Before anything is held or counted: a refusal or a wait then has nothing to give back.
  const [refusal, full] = await Promise.all([refusalAtPlacement(config, route, session, fraud, countedAt), waitsForCallSlot(deps, route, session)]);
  if (refusal) {
    await fail(deps, session, refusal, { at: 'placement' });
    return { ok: false, reason: refusal };
  }
  if (full) {
    await waitForCallSlot(db, session._id);
    return { ok: false, waitForSlot: true };
  }
  const counterId = callbackCounterId(session.target!);
  const [hold, counted, locked] = await Promise.all([
    holdCallbackPlacement(db, session, countedAt, route?.cheapestIncrement ?? null),
    countEventUpTo(db, counterId, countedAt, fraud.maxCallbacksPerTargetPerHour),
    // A rung callback took its lock when it rang; a requested one (it may have been scheduled for days)
    // takes it now, or holds it already from the request or an earlier attempt (then this is a no-op).
    (session.origin ?? 'ring') === 'ring' ? true : takeCallbackLock(db, deps.clock, session._id, session.extensionId, session.target!),
  ]);
  if (hold.ok && counted.counted && locked) return { ok: true, coveredSeconds: hold.coveredSeconds, countedAt };
  if (counted.counted) await uncountEvent(db, counterId, countedAt);
  // The credit is named first: it is what the client can do something about.
  const reason = !hold.ok ? hold.reason : !locked ? 'callback-already-active' : 'callback-rate-limited';
  const detail = hold.ok && locked ? { callbacksLastHour: counted.count, limit: fraud.maxCallbacksPerTargetPerHour } : {};
  // Another session's lock is not this one's to release (fail() releases only this session's).
  await fail(deps, session, reason, detail);
  return { ok: false, reason };
}

async function fail(deps: AppDeps, session: CallSessionDoc, reason: string, detail: Record<string, unknown>): Promise<void> {
  const now = deps.clock.now();
  await Promise.all([failCallback(deps.db, session._id, reason, detail, now), emitCallEvent(deps.db, failedEvent(session, reason, session.callback.attempts, now))]);
  deps.metrics.sessionEnded('failed', reason);
  // No call was placed for this attempt: what it held goes back.
  await settleCallbackAttempt(deps.db, session._id, session.callback.attempts, { duration: 0, callSid: null }, deps.clock.now());
  await releaseCallbackLock(deps.db, session._id);
}

/**
 * An attempt whose create has an unknown outcome: the instance died before recording the CallSid, or the
 * request timed out. Its status callbacks usually record it within a second; after a grace period, ask
 * Twilio for a call to the target from our number started since the attempt, other than the calls of
 * earlier attempts (a busy first attempt is also a call to the target from our number).
 * Returns the CallSid, null (no such call: place it), or 'wait'.
 */
async function findUnrecordedCall(deps: AppDeps, s: CallSessionDoc): Promise<string | null | 'wait'> {
  const started = s.callback.attemptStartedAt;
  if (!started) return null;
  if (deps.clock.now().getTime() - started.getTime() < UNKNOWN_CREATE_GRACE_MS) return 'wait';
  const calls = await deps.twilio.calls.list({
    to: s.target!,
    from: s.calledNumber,
    startTimeAfter: new Date(started.getTime() - 60_000),
    limit: 20,
  });
  const known = knownCallSids(s);
  return calls.find((c) => !known.has(c.sid))?.sid ?? null;
}
