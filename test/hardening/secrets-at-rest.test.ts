import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { callSessionModel } from '../../models/call-session';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { CALLER, CallflowRig } from '../support/callflow';
import { testDataDir, testDb } from '../support/database';

/** Issue 15, item 1: a SIP trunk password is sent to Twilio but never kept in clear at rest. */

const SIP_PASSWORD = 'Trunk-Passw0rd-at-rest-4417';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

describe('hardening: no SIP password at rest (issue 15, item 1)', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  it('when a call is dialed over a SIP trunk and Twilio retries the step, then Twilio gets the password both times and no database file, stored TwiML or timeline holds it', async () => {
    await rig.seed({ callback: { requireCallerPassword: false } });
    await rig.admin
      .post('/api/channels', { name: 'SIP trunk', type: 'sip', prefixes: ['+44'], sip: { domain: 'pbx.example.com', username: 'trunkuser', password: SIP_PASSWORD } })
      .expect(201);
    const ring = await rig.incoming(CALLER);
    const creates = await rig.runJobs();
    const sid = rig.createdSid();
    const prompt = await rig.answer(creates[0]!, sid);
    const dial = await rig.gather(prompt, '00442079460000#', sid);
    assert.equal(findOne(dial.tree, 'Sip').attrs.password, SIP_PASSWORD);
    // Twilio's retry of the same step answers the same TwiML, password included.
    const retried = await rig.gather(prompt, '00442079460000#', sid);
    assert.equal(retried.xml, dial.xml);
    await rig.dialEnded(dial, sid, { status: 'completed', duration: 30 });

    const session = await callSessionModel(testDb()).findOne({ inboundCallSid: ring.callSid }).lean();
    assert.ok(session);
    assert.ok(!JSON.stringify(session).includes(SIP_PASSWORD), 'the session document holds the SIP password');

    const dir = testDataDir();
    if (!dir) return; // on MONGODB_URI there are no embedded database files to search
    const files = filesUnder(dir);
    assert.ok(
      files.some((f) => /\.sqlite(-wal)?$/.test(f)),
      `no SQLite files under the data dir: ${files.join(', ')}`,
    );
    for (const f of files) {
      assert.ok(!fs.readFileSync(f).includes(SIP_PASSWORD), `${path.relative(dir, f)} holds the SIP password in clear`);
    }
  });
});
