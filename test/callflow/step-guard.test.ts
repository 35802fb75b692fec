import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { callSessionModel } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { reservationModel } from '../../models/reservation';
import { claimStep, STEP_CLAIM_TTL_MS } from '../../src/callflow/step-guard';
import { apologyTwiml } from '../../routes/http/voice-error-handler';
import { findAll, findOne } from '../../src/twilio-sim/twiml-parse';
import { type Answer, CALLER, CALLER_PIN, CallflowRig, says } from '../support/callflow';
import { testDb } from '../support/database';

/**
 * The step guard (src/callflow/step-guard.ts): a conversation step runs once per `step`, whatever Twilio
 * repeats, and a step whose instance died between claiming it and answering it is run again, once, by
 * Twilio's retry. The handlers are safe to run again after a partial first run: credit is reserved
 * under one id per step, and each step's one counter update is applied once.
 */

const actionOf = (a: Answer, verb: 'Gather' | 'Dial') => findOne(a.tree, verb).attrs.action!;
const param = (url: string, name: string) => new URL(url).searchParams.get(name)!;
const sessionIdOf = (a: Answer) => new Types.ObjectId(param(actionOf(a, 'Gather'), 'session'));
const sessionDoc = (id: Types.ObjectId) => callSessionModel(testDb()).findById(id).lean();
const events = async (id: Types.ObjectId, event: string) => (await sessionDoc(id))!.timeline.filter((e) => e.event === event).length;

/**
 * The instance dies at the first session write matching `when`, inside a step (the write throws; the
 * request ends with the apology a dead instance would not even send). Restored after that one write.
 */
function dieAtSessionWrite(when: (filter: Record<string, unknown>, update: Record<string, unknown>) => boolean): { died: () => boolean } {
  return dieAtWrite(callSessionModel(testDb()) as unknown as Writable, when);
}
type Writable = { updateOne: (...args: unknown[]) => unknown };
function dieAtWrite(model: Writable, when: (filter: Record<string, unknown>, update: Record<string, unknown>) => boolean): { died: () => boolean } {
  const original = model.updateOne;
  let died = false;
  model.updateOne = function (this: unknown, ...args: unknown[]) {
    if (!died && when((args[0] ?? {}) as Record<string, unknown>, (args[1] ?? {}) as Record<string, unknown>)) {
      died = true;
      model.updateOne = original;
      throw new Error('instance killed here (test)');
    }
    return original.apply(this, args);
  };
  return { died: () => died };
}
const isRememberAnswer = (f: Record<string, unknown>, u: Record<string, unknown>) => 'stepClaim' in f && typeof u.$set === 'object' && u.$set !== null && 'answeredStep' in u.$set;

describe('call flow: the step guard (each conversation step runs once)', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  async function atDestinationPrompt(seed: Parameters<CallflowRig['seed']>[0] = {}): Promise<{ prompt: Answer; sid: string; session: Types.ObjectId }> {
    await rig.seed(seed);
    const { first, sid } = await rig.callbackAnswered(CALLER);
    const prompt = await rig.gather(first, CALLER_PIN, sid);
    return { prompt, sid, session: sessionIdOf(prompt) };
  }

  it("when the instance dies after marking the callback answered and before saving its first prompt, then Twilio's retry of the answer gets the prompt, not a hang-up", async () => {
    await rig.seed();
    await rig.incoming(CALLER);
    const [create] = await rig.runJobs();
    const sid = rig.createdSid();
    const death = dieAtSessionWrite((f, u) => !('stepClaim' in f) && typeof u.$set === 'object' && u.$set !== null && 'lastTwiml' in u.$set);
    const lost = await rig.answer(create!, sid);
    assert.ok(death.died(), 'the crash point was not reached');
    assert.equal(lost.xml, apologyTwiml);
    const retry = await rig.answer(create!, sid);
    const gather = findOne(retry.tree, 'Gather');
    assert.equal(param(gather.attrs.action!, 'step'), '0');
    assert.ok(
      says(retry).some((t) => /password/i.test(t)),
      retry.xml,
    );
    const again = await rig.answer(create!, sid);
    assert.equal(again.xml, retry.xml, 'once saved, the prompt is replayed as is');
    await rig.gather(retry, CALLER_PIN, sid);
  });

  it('when two requests for the same step arrive at once (no crash), then the step runs once and both get the same TwiML', async () => {
    const { prompt, sid, session } = await atDestinationPrompt();
    const answers = await Promise.all([rig.gather(prompt, '2025550186#', sid), rig.gather(prompt, '2025550186#', sid), rig.gather(prompt, '2025550186#', sid)]);
    findOne(answers[0]!.tree, 'Dial');
    for (const a of answers.slice(1)) assert.equal(a.xml, answers[0]!.xml);
    assert.equal(await reservationModel(testDb()).countDocuments({}), 1, 'credit reserved more than once');
    assert.equal(await events(session, 'destination-dialed'), 1, 'the destination step ran more than once');
    assert.equal((await sessionDoc(session))!.destination.dials, 1);
  });

  it('when Twilio replays a step that was answered (even long after), then it gets the stored TwiML and the step does not run again', async () => {
    const { prompt, sid, session } = await atDestinationPrompt();
    const dial = await rig.gather(prompt, '2025550186#', sid);
    rig.t.clock.advance(10 * STEP_CLAIM_TTL_MS); // an answered step is never taken for abandoned
    const replay = await rig.gather(prompt, '2025550186#', sid);
    assert.equal(replay.xml, dial.xml);
    assert.equal(await reservationModel(testDb()).countDocuments({}), 1);
    assert.equal(await events(session, 'destination-dialed'), 1);

    const ended = await rig.dialEnded(dial, sid, { status: 'completed', duration: 125 });
    const again = await rig.dialEnded(dial, sid, { status: 'completed', duration: 125 });
    assert.equal(again.xml, ended.xml);
    assert.equal(findAll(again.tree, 'Dial').length, 0);
    assert.equal(await events(session, 'dial-ended'), 1);
  });

  it("when a retry arrives while the dead instance's claim is still fresh, then it waits and runs the step once the claim has expired", async () => {
    const { prompt, sid, session } = await atDestinationPrompt();
    const claim = await claimStep(rig.t.deps, session, Number(param(actionOf(prompt, 'Gather'), 'step')));
    assert.equal(claim.go, true);
    let answered = false;
    const retry = rig.gather(prompt, '2025550186#', sid).finally(() => (answered = true));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answered, false, 'the retry did not wait for the step claimed a moment ago');
    assert.equal(await events(session, 'destination-dialed'), 0);
    rig.t.clock.advance(STEP_CLAIM_TTL_MS);
    const a = await retry;
    findOne(a.tree, 'Dial');
    assert.equal(await events(session, 'destination-dialed'), 1);
  });

  it('when the instance dies after the destination step reserved credit and counted the dial, then the retry reuses that reservation and counts nothing twice', async () => {
    const { prompt, sid, session } = await atDestinationPrompt({ client: { credit: '10.00' } });
    const before = (await clientModel(testDb()).findById(rig.clientId).lean())!.balance;
    const death = dieAtSessionWrite(isRememberAnswer);
    const lost = await rig.gather(prompt, '2025550186#', sid);
    assert.ok(death.died());
    assert.equal(lost.xml, apologyTwiml);
    const held = await reservationModel(testDb()).find({}).lean();
    assert.equal(held.length, 1);

    rig.t.clock.advance(STEP_CLAIM_TTL_MS);
    const retry = await rig.gather(prompt, '2025550186#', sid);
    assert.equal(param(actionOf(retry, 'Dial'), 'reservation'), String(held[0]!._id), 'the retry dialed under another reservation');
    assert.equal(await reservationModel(testDb()).countDocuments({}), 1, 'credit reserved twice for one step');
    assert.equal((await clientModel(testDb()).findById(rig.clientId).lean())!.balance, before - held[0]!.clientAmount);
    const s = (await sessionDoc(session))!;
    assert.equal(s.destination.dials, 1, 'the dial was counted twice');
    assert.equal(s.timeline.filter((e) => e.event === 'dial').length, 1);

    await rig.dialEnded(retry, sid, { status: 'completed', duration: 125 });
    const r = (await reservationModel(testDb()).findById(held[0]!._id).lean())!;
    assert.equal(r.state, 'settled');
    assert.equal(r.charge, 210);
    const client = (await clientModel(testDb()).findById(rig.clientId).lean())!;
    assert.equal(client.balance, before - 210);
    assert.deepEqual(client.pendingEntryIds, []);
  });

  it('when the instance dies halfway through taking the credit (client side taken, caller ID side not), then the retry finishes that reservation, each side taken once', async () => {
    const { prompt, sid } = await atDestinationPrompt({ client: { credit: '10.00' }, callerCredit: '5.00' });
    const clientBefore = (await clientModel(testDb()).findById(rig.clientId).lean())!.balance;
    const callerBefore = (await authorizedCallerModel(testDb()).findById(rig.callerId).lean())!.available;
    const death = dieAtWrite(authorizedCallerModel(testDb()) as unknown as Writable, (_f, u) => typeof u.$inc === 'object' && u.$inc !== null && 'available' in u.$inc);
    await rig.gather(prompt, '2025550186#', sid);
    assert.ok(death.died());
    const [half] = await reservationModel(testDb()).find({}).lean();
    assert.equal(half!.state, 'reserving');

    rig.t.clock.advance(STEP_CLAIM_TTL_MS);
    const retry = await rig.gather(prompt, '2025550186#', sid);
    assert.equal(param(actionOf(retry, 'Dial'), 'reservation'), String(half!._id));
    const reservations = await reservationModel(testDb()).find({}).lean();
    assert.equal(reservations.length, 1);
    assert.equal(reservations[0]!.state, 'held');
    const client = (await clientModel(testDb()).findById(rig.clientId).lean())!;
    const caller = (await authorizedCallerModel(testDb()).findById(rig.callerId).lean())!;
    assert.equal(client.balance, clientBefore - half!.clientAmount);
    assert.equal(caller.available, callerBefore - half!.callerAmount);
    assert.deepEqual(client.pendingEntryIds.map(String), [String(half!._id)]);
    assert.deepEqual(caller.pendingEntryIds.map(String), [String(half!._id)]);
  });

  it('when the instance dies after counting a wrong password and before answering, then the retry does not count it twice', async () => {
    await rig.seed();
    const { first, sid } = await rig.callbackAnswered(CALLER);
    const session = sessionIdOf(first);
    const death = dieAtSessionWrite(isRememberAnswer);
    await rig.gather(first, '9999#', sid);
    assert.ok(death.died());
    assert.equal((await sessionDoc(session))!.auth.failures, 1);

    rig.t.clock.advance(STEP_CLAIM_TTL_MS);
    const retry = await rig.gather(first, '9999#', sid);
    assert.equal((await sessionDoc(session))!.auth.failures, 1, 'one wrong password counted twice');
    assert.ok(says(retry).length > 0);
    assert.notEqual(actionOf(retry, 'Gather'), actionOf(first, 'Gather'), 'the retry must answer with the next step');
    // The caller still has the two tries left that one wrong password leaves.
    const second = await rig.gather(retry, '9999#', sid);
    findOne(second.tree, 'Gather');
    const menu = await rig.gather(second, CALLER_PIN, sid);
    findOne(menu.tree, 'Gather');
    assert.equal((await sessionDoc(session))!.auth.passed, true);
  });
});
