import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Types } from 'mongoose';
import { claimNextStep, readStepState, readStoredAnswer, retakeStep, storeAnswer, storeClaimedAnswer } from '../domain/call-sessions/step-claims';
import type { AppDeps } from '../deps';
import { PROMPTS } from './prompts';
import { openTwiml, sealTwiml } from './stored-twiml';
import { hangupTwiml, sayAndHangup } from './twiml';

/** A conversation longer than this many prompts is a caller asleep on the keypad: end it. */
export const MAX_STEPS = 60;

/**
 * A claimed step still unanswered after this long (on the app's clock) is taken to be abandoned by an
 * instance that died inside it, and is run again by the next request for it. Well under Twilio's 15 s
 * webhook timeout, so a retry that waits for it still answers in time; far above a step's normal run.
 */
export const STEP_CLAIM_TTL_MS = 5_000;

/** How long (real time) a request waits for the answer of the same step being run by another request. */
const WAIT_FOR_ANSWER_MS = STEP_CLAIM_TTL_MS + 5_000;

/** The request that may run step `answers`; the session is now at `step`, which its TwiML's actions carry. */
export interface StepClaim {
  go: true;
  step: number;
  answers: number;
  token: string;
}

/**
 * Idempotency of the conversation's webhooks. Every TwiML with an action carries `step=N`; the first
 * request for step N advances the session to N+1 (a claim with a fresh token) and runs the step; its
 * answer is stored with the step it answers (`rememberAnswer`). A request for step N that finds the
 * session at N+1:
 * - gets the stored answer when it is step N's (Twilio's retry of an answered step);
 * - waits while step N is claimed, unanswered and the claim is fresh (the same step running elsewhere);
 * - runs step N again when its claim is older than STEP_CLAIM_TTL_MS (the instance died inside it),
 *   after moving the claim token with a conditional update, so only one request takes it over.
 * Every step handler is safe to run again after a partial first run (see conversation.ts).
 */
export async function claimStep(deps: AppDeps, sessionId: Types.ObjectId, step: number): Promise<StepClaim | { go: false; twiml: string }> {
  let token = randomUUID();
  const claimed = await claimNextStep(deps.db, sessionId, step, token, deps.clock.now());
  if (claimed) return afterClaim(deps, sessionId, { go: true, step: claimed.step, answers: step, token });

  const deadline = Date.now() + WAIT_FOR_ANSWER_MS;
  for (let pause = 10; ; pause = Math.min(pause * 2, 100)) {
    const s = await readStepState(deps.db, sessionId);
    if (!s) return { go: false, twiml: hangupTwiml() };
    if (s.step !== step + 1) {
      // Not a retry of the latest step (a much older one): the latest answer, as before.
      return { go: false, twiml: s.step > step && s.lastTwiml ? openTwiml(deps.secretBox, s.lastTwiml) : hangupTwiml() };
    }
    if (s.answeredStep === step && s.lastTwiml) return { go: false, twiml: openTwiml(deps.secretBox, s.lastTwiml) };
    const claimedAt = s.stepClaimedAt?.getTime() ?? 0;
    if (deps.clock.now().getTime() - claimedAt >= STEP_CLAIM_TTL_MS) {
      token = randomUUID();
      const retaken = await retakeStep(deps.db, sessionId, step, s.stepClaim, token, deps.clock.now());
      if (retaken) {
        deps.logger.warn({ sessionId: String(sessionId), step }, 'conversation step claimed but never answered (instance died?): running it again');
        return afterClaim(deps, sessionId, { go: true, step: retaken.step, answers: step, token });
      }
      continue; // another request took it over or it was answered meanwhile: look again
    }
    if (Date.now() >= deadline) {
      deps.logger.warn({ sessionId: String(sessionId), step }, 'conversation step still running elsewhere; gave up waiting for its answer');
      return { go: false, twiml: hangupTwiml() };
    }
    await delay(pause);
  }
}

async function afterClaim(deps: AppDeps, sessionId: Types.ObjectId, claim: StepClaim): Promise<StepClaim | { go: false; twiml: string }> {
  if (claim.step <= MAX_STEPS) return claim;
  return { go: false, twiml: await rememberAnswer(deps, sessionId, sayAndHangup({ language: 'en-US', voice: null }, PROMPTS.sessionEnded), claim) };
}

/**
 * Keeps the answer for replays, with the step it answers (in the same update). For a step, only while
 * the claim is still this request's: when another request took the step over (this one was too slow
 * and given up for dead), that one's answer is the session's, and is returned when already stored.
 */
export async function rememberAnswer(deps: AppDeps, sessionId: Types.ObjectId, twiml: string, claim?: StepClaim): Promise<string> {
  const lastTwiml = sealTwiml(deps.secretBox, twiml);
  if (!claim) {
    await storeAnswer(deps.db, sessionId, lastTwiml);
    return twiml;
  }
  if (await storeClaimedAnswer(deps.db, sessionId, claim.token, claim.answers, lastTwiml)) return twiml;
  const s = await readStoredAnswer(deps.db, sessionId);
  return s?.answeredStep === claim.answers && s.lastTwiml ? openTwiml(deps.secretBox, s.lastTwiml) : twiml;
}
