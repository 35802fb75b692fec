import type { Connection, Types } from 'mongoose';
import { callSessionModel, type CallSessionDoc } from '../../../models/call-session';

/**
 * The queries of the conversation's step guard (src/callflow/step-guard.ts, which holds the rules):
 * claiming a step with a conditional update on the step number, taking over an abandoned claim by its
 * token, and keeping the (sealed) answer with the step it answers.
 */

export type StepState = Pick<CallSessionDoc, '_id' | 'step' | 'lastTwiml' | 'answeredStep' | 'stepClaim' | 'stepClaimedAt'>;

/** The session moved from `step` to `step + 1` under `token`, or null when it was not at `step`. */
export function claimNextStep(db: Connection, sessionId: Types.ObjectId, step: number, token: string, now: Date): Promise<CallSessionDoc | null> {
  return callSessionModel(db)
    .findOneAndUpdate({ _id: sessionId, step }, { $inc: { step: 1 }, $set: { stepClaim: token, stepClaimedAt: now } }, { returnDocument: 'after' })
    .lean()
    .exec();
}

export function readStepState(db: Connection, sessionId: Types.ObjectId): Promise<StepState | null> {
  return callSessionModel(db).findById(sessionId, { step: 1, lastTwiml: 1, answeredStep: 1, stepClaim: 1, stepClaimedAt: 1 }).lean().exec();
}

/** Moves the claim of unanswered step `step` from `oldToken` to `token`: only one request takes it over. */
export function retakeStep(db: Connection, sessionId: Types.ObjectId, step: number, oldToken: string | null | undefined, token: string, now: Date): Promise<CallSessionDoc | null> {
  return callSessionModel(db)
    .findOneAndUpdate(
      { _id: sessionId, step: step + 1, stepClaim: oldToken, answeredStep: { $ne: step } },
      { $set: { stepClaim: token, stepClaimedAt: now } },
      { returnDocument: 'after' },
    )
    .lean()
    .exec();
}

/** An answer that is no step's (the first TwiML of the callback leg). */
export async function storeAnswer(db: Connection, sessionId: Types.ObjectId, lastTwiml: string): Promise<void> {
  await callSessionModel(db).updateOne({ _id: sessionId }, { $set: { lastTwiml, answeredStep: null } });
}

/** Stores step `answers`'s answer while the claim is still `token`'s; false when another request took it over. */
export async function storeClaimedAnswer(db: Connection, sessionId: Types.ObjectId, token: string, answers: number, lastTwiml: string): Promise<boolean> {
  const kept = await callSessionModel(db).updateOne({ _id: sessionId, stepClaim: token }, { $set: { lastTwiml, answeredStep: answers } });
  return kept.matchedCount > 0;
}

export function readStoredAnswer(db: Connection, sessionId: Types.ObjectId): Promise<Pick<CallSessionDoc, '_id' | 'lastTwiml' | 'answeredStep'> | null> {
  return callSessionModel(db).findById(sessionId, { lastTwiml: 1, answeredStep: 1 }).lean().exec();
}
