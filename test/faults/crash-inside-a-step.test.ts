import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { reservationModel } from '../../models/reservation';
import { claimStep, STEP_CLAIM_TTL_MS } from '../../src/callflow/step-guard';
import { findAll, findOne, type TwimlNode } from '../../src/twilio-sim/twiml-parse';
import { type Answer, CALLER, CALLER_PIN, CallflowRig } from '../support/callflow';
import { testDb } from '../support/database';

/**
 * An instance killed INSIDE a conversation step: after the step guard advanced the session's step (the
 * first write of every step, src/callflow/step-guard.ts) and before the step's answer was remembered.
 * The state a SIGKILL leaves there is reproduced exactly by making that first write and stopping; then
 * Twilio retries the webhook (another instance, or the restarted one, answers).
 *
 * Fixed in src/callflow/step-guard.ts: the answer is stored with the step it answers, so the retry is not
 * answered with the PREVIOUS step's TwiML (whose action carries the very step being retried: the
 * destination prompt looped forever, a retried dial-result answered the <Dial> again). A step claimed and
 * never answered is run again once its claim is older than STEP_CLAIM_TTL_MS (a retry arriving earlier
 * waits for it: test/callflow/step-guard.test.ts), and every step handler is safe to run again.
 */

const actionsOf = (n: TwimlNode): string[] => [...(n.attrs.action ? [n.attrs.action] : []), ...n.children.flatMap(actionsOf)];
const stepOf = (url: string) => Number(new URL(url).searchParams.get('step'));

/** What the dead instance did: the step guard's claim of the step this action posts, nothing more. */
async function dieAfterClaim(rig: CallflowRig, action: string): Promise<void> {
  const q = new URL(action).searchParams;
  const claim = await claimStep(rig.t.deps, new Types.ObjectId(q.get('session')!), Number(q.get('step')));
  assert.equal(claim.go, true);
  // Twilio's retry comes once the dead instance's claim has expired (an earlier one waits until then).
  rig.t.clock.advance(STEP_CLAIM_TTL_MS);
}

describe('faults: the service killed inside a conversation step', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  async function atDestinationPrompt(): Promise<{ prompt: Answer; sid: string }> {
    await rig.seed();
    const { first, sid } = await rig.callbackAnswered(CALLER);
    return { prompt: await rig.gather(first, CALLER_PIN, sid), sid };
  }

  it("when the instance dies after claiming the destination step, then Twilio's retry still leads to the <Dial>, not to the same prompt forever", async () => {
    const { prompt, sid } = await atDestinationPrompt();
    const action = findOne(prompt.tree, 'Gather').attrs.action!;
    await dieAfterClaim(rig, action);

    let answer = await rig.gather(prompt, '2025550186#', sid); // Twilio's retry
    for (const a of actionsOf(answer.tree)) assert.notEqual(stepOf(a), stepOf(action), `the retry answered the step's own prompt again: ${answer.xml}`);
    if (findAll(answer.tree, 'Dial').length === 0) answer = await rig.gather(answer, '2025550186#', sid);
    findOne(answer.tree, 'Dial');
    assert.equal(await reservationModel(testDb()).countDocuments({ state: 'held' }), 1, 'credit held twice for one dial');
  });

  it("when the instance dies after claiming the dial-result step, then Twilio's retry does not dial again and the dial is charged once", async () => {
    const { prompt, sid } = await atDestinationPrompt();
    const dial = await rig.gather(prompt, '2025550186#', sid);
    await dieAfterClaim(rig, findOne(dial.tree, 'Dial').attrs.action!);

    const retry = await rig.dialEnded(dial, sid, { status: 'completed', duration: 125 });
    assert.equal(findAll(retry.tree, 'Dial').length, 0, `the retry dialed the destination again: ${retry.xml}`);
    const r = await reservationModel(testDb()).findOne({}).lean();
    assert.equal(r!.state, 'settled');
    assert.equal(r!.charge, 210);
  });
});
