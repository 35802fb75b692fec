import { Types } from 'mongoose';
import type { AppDeps } from '../../deps';
import { loadSession } from '../../domain/call-sessions/conversation-store';
import { PROMPTS } from '../prompts';
import { claimStep, rememberAnswer, type StepClaim } from '../step-guard';
import { hangupTwiml, sayAndHangup } from '../twiml';
import { type Ctx, endSession, loadCtx } from './context';
import { coverStep } from './cover';
import { onDestination } from './destination';
import { onDialResult } from './dial-result';
import { onMenu } from './menu';
import { onPin } from './pin';
import type { StepKind, StepRequest } from './step-input';

/**
 * The conversation's webhooks after the answer: each step's action URL carries `step=N`, and step N
 * runs exactly once (step-guard.ts): a Twilio retry gets the same answer. One module per step beside.
 */
export async function runStep(deps: AppDeps, kind: StepKind, req: StepRequest): Promise<string> {
  const sessionId = new Types.ObjectId(req.sessionId);
  const claim = await claimStep(deps, sessionId, req.step);
  if (!claim.go) return claim.twiml;
  // Every answer from here on is remembered with the step it answers, so a retry never runs it twice.
  return rememberAnswer(deps, sessionId, await runClaimed(deps, kind, claim, sessionId, req), claim);
}

async function runClaimed(deps: AppDeps, kind: StepKind, claim: StepClaim, sessionId: Types.ObjectId, req: StepRequest): Promise<string> {
  const s = await loadSession(deps.db, sessionId);
  if (!s) return hangupTwiml();
  // The callback leg's final status can come before the <Dial action> (the caller hung up during the
  // bridge): the session has ended, but that dial must still be billed now, not left to the sweeper.
  const billOnly = kind === 'dial-result' && s.status === 'completed';
  if (s.status !== 'answered' && !billOnly) return hangupTwiml();
  const ctx = await loadCtx(deps, s, claim.step);
  if (!ctx) return sayAndHangup({ language: 'en-US', voice: null }, PROMPTS.sessionEnded);
  // The callback leg runs on while the caller is in the conversation: the step must be paid for. Not the
  // <Dial action>: the dial's hold already pays the leg until after it (a re-prompt is covered there).
  if (!billOnly && kind !== 'dial-result' && !(await coverStep(ctx))) return endSession(ctx, 'insufficient-credit', sayAndHangup(ctx.speech, ctx.talk.line('noCredit')));
  const twiml = await STEPS[kind](ctx, req);
  return billOnly ? hangupTwiml() : twiml;
}

const STEPS: Record<StepKind, (ctx: Ctx, req: StepRequest) => Promise<string>> = {
  pin: (ctx, req) => onPin(ctx, req.digits),
  menu: (ctx, req) => onMenu(ctx, req.digits),
  destination: (ctx, req) => onDestination(ctx, req.digits),
  'dial-result': onDialResult,
};
