import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { callSessionModel } from '../../models/call-session';
import { markConfigChanged } from '../../src/domain/config-version';
import { findOne, parseTwiml } from '../../src/twilio-sim/twiml-parse';
import { CallflowRig, callSid, CALLER, lockOut, NUMBER } from '../support/callflow';
import { testDbUri } from '../support/database';
import { createTestApp, TEST_ACCOUNT_SID, type TestApp } from '../support/harness';

/**
 * The configuration an incoming call reads is cached per instance and dropped on every configuration
 * change, on every instance. The second instance here has its own connection (and so its own cache), as
 * a second process would.
 */
describe('call flow: the configuration cache of the incoming webhook', () => {
  const rig = new CallflowRig();
  let other: TestApp;
  let otherDb: mongoose.Connection;
  const commands: string[] = [];

  beforeEach(async () => {
    await rig.start();
    await rig.seed({ callback: { triggerAfterSeconds: 5 } });
    const { uri, dbName } = testDbUri();
    otherDb = await mongoose.createConnection(uri, { dbName, monitorCommands: true }).asPromise();
    otherDb.getClient().on('commandStarted', (e) => commands.push(`${e.commandName} ${String((e.command as Record<string, unknown>)[e.commandName])}`));
    other = createTestApp({ db: otherDb });
    commands.length = 0;
  });
  afterEach(async () => {
    await rig.stop();
    await otherDb.close();
  });

  /** An incoming call on the second instance; returns its ring time, read while the answer is held. */
  async function ringOther(from = CALLER): Promise<{ ringMs: number; sid: string }> {
    const sid = callSid();
    const response = other.signedPost('/voice/incoming', { CallSid: sid, AccountSid: TEST_ACCOUNT_SID, From: from, To: NUMBER, CallStatus: 'ringing' }).then((r) => r);
    for (let i = 0; i < 1000 && other.clock.pendingSleeps < 1; i++) await new Promise((r) => setTimeout(r, 5));
    const session = await callSessionModel(rig.t.deps.db).findOne({ inboundCallSid: sid }).lean();
    const ringMs = session ? session.ringEndsAt.getTime() - other.clock.now().getTime() : 0;
    other.clock.advance(60_000);
    const res = await response;
    assert.equal(res.status, 200);
    assert.ok(findOne(parseTwiml(res.text), 'Reject'), res.text);
    return { ringMs, sid };
  }

  it('when the configuration has not changed, then calls after the first read no configuration, only the version and the money', async () => {
    await ringOther();
    commands.length = 0;
    await ringOther();
    await ringOther();
    const finds = commands.filter((c) => c.startsWith('find '));
    for (const coll of ['phone_numbers', 'extensions', 'rate_tables', 'authorized_callers', 'lockouts']) {
      assert.ok(!finds.includes(`find ${coll}`), `${coll} was read again: ${finds.join(', ')}`);
    }
    assert.equal(finds.filter((c) => c === 'find config_versions').length, 2, finds.join(', '));
  });

  it('when an extension is changed through the API on one instance, then the next call on another instance uses the new setting', async () => {
    assert.equal((await ringOther()).ringMs, 5_000);
    await rig.admin.patch(`/api/extensions/${rig.extensionId}`, { callback: { triggerAfterSeconds: 12 } }).expect(200);
    assert.equal((await ringOther('+12025550111')).ringMs, 12_000);
  });

  it('when an authorized caller ID is disabled through the API, then its next call on another instance is refused', async () => {
    await ringOther();
    await rig.admin.patch(`/api/extensions/${rig.extensionId}/authorized-callers/${rig.callerId}`, { enabled: false }).expect(200);
    const { sid } = await ringOther('+12025550143');
    const session = await callSessionModel(rig.t.deps.db).findOne({ inboundCallSid: sid }).lean();
    assert.equal(session?.reason, 'authorized-caller-disabled');
  });

  it('when a target is locked out by another instance, then the next call to it is refused at once', async () => {
    await ringOther();
    const now = other.clock.now();
    await lockOut(rig.t.deps.db, rig.extensionId, CALLER, now, 5);
    await markConfigChanged(rig.t.deps.db); // what the conversation does after writing a lockout
    const { sid } = await ringOther();
    const session = await callSessionModel(rig.t.deps.db).findOne({ inboundCallSid: sid }).lean();
    assert.match(String(session?.reason), /locked/);
  });
});
