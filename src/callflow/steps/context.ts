import type { AppDeps } from '../../deps';
import {
  type CallSessionDoc,
  type ClientDoc,
  type ExtensionDoc,
  loadStepConfig,
  updateSession,
  updateSessionReturning,
  loadSession,
} from '../../domain/call-sessions/conversation-store';
import { extensionSpeech } from '../i18n/extension-speech';
import type { Speaker } from '../i18n/speaker';
import { releaseCallbackLock, timelineEntry } from '../../domain/call-sessions/session-events';
import type { Speech } from '../twiml';
import { voiceUrl } from '../urls';

/** What every step works with: the session as the step found it, its configuration and its voice. */
export interface Ctx {
  deps: AppDeps;
  s: CallSessionDoc;
  ext: ExtensionDoc;
  client: ClientDoc;
  speech: Speech;
  /** Every sentence of the call, in the extension's (or the caller's) language, or its recording. */
  talk: Speaker;
  /** The step the session is at now, which the next TwiML's actions carry. */
  step: number;
}

export const stepUrl = (ctx: Ctx, path: string, extra: Record<string, string | number> = {}) =>
  voiceUrl(ctx.deps.config.publicBaseUrl, path, { session: String(ctx.s._id), step: ctx.step, ...extra });

export async function loadCtx(deps: AppDeps, s: CallSessionDoc, step: number): Promise<Ctx | null> {
  const config = await loadStepConfig(deps.db, s);
  if (!config) return null;
  return { deps, s, ...config, step, ...extensionSpeech(config.ext.callback, s.target, deps.config.publicBaseUrl) };
}

/** Ends the session; the caller remembers the answer (a step's with the step it answers). */
export async function endSession(ctx: Ctx, reason: string, twiml: string): Promise<string> {
  const now = ctx.deps.clock.now();
  const ended = await updateSession(
    ctx.deps.db,
    ctx.s._id,
    { $set: { status: 'completed', reason }, $push: { timeline: timelineEntry(now, 'session-ended', { reason }) } },
    { status: { $in: ['answered', 'calling'] } },
  );
  if (ended) ctx.deps.metrics.sessionEnded('completed', reason);
  await releaseCallbackLock(ctx.deps.db, ctx.s._id);
  return twiml;
}

/**
 * A step's one counter update ($inc of auth.failures, destination.tries or destination.dials), applied
 * once even when the step is run again after an instance died inside it (`countedStep` marks it done).
 */
export type CountedUpdate = { $inc: Record<string, number>; $set?: Record<string, unknown>; $push?: Record<string, unknown> };
export const notYetCounted = (ctx: Ctx) => ({ countedStep: { $ne: ctx.step } });
export const countedUpdate = (ctx: Ctx, update: CountedUpdate) => ({ ...update, $set: { ...update.$set, countedStep: ctx.step } });

/** Applies a step's counted update once; `first` is false when an earlier run of the step applied it. */
export async function countOnceReporting(ctx: Ctx, update: CountedUpdate): Promise<{ session: CallSessionDoc | null; first: boolean }> {
  const counted = await updateSessionReturning(ctx.deps.db, ctx.s._id, countedUpdate(ctx, update), notYetCounted(ctx));
  return counted ? { session: counted, first: true } : { session: await loadSession(ctx.deps.db, ctx.s._id), first: false };
}

/** Applies a step's counted update once; returns the session after it. */
export async function countOnce(ctx: Ctx, update: CountedUpdate): Promise<CallSessionDoc | null> {
  return (await countOnceReporting(ctx, update)).session;
}
