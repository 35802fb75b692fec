import assert from 'node:assert/strict';
import { callSessionModel } from '../../models/call-session';
import { handleCallStatus } from '../../src/callflow/call-status';
import { CALLER, CallflowRig, sessionOf } from '../support/callflow';
import { testDb } from '../support/database';

/** Issue 15, item 5: a replayed status callback changes nothing; a session's timeline is bounded. */

describe('hardening: replayed status callbacks (issue 15, item 5)', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
    await rig.seed();
  });
  afterEach(() => rig.stop());

  it('when Twilio posts the same callback status again (same SequenceNumber), then the second changes nothing, even after a later status', async () => {
    const ring = await rig.incoming(CALLER);
    const [create] = await rig.runJobs();
    const sid = rig.createdSid();
    await rig.status(create!, sid, 'ringing', { SequenceNumber: '1' });
    await rig.status(create!, sid, 'in-progress', { SequenceNumber: '2' });
    const before = (await sessionOf(ring.callSid))!;
    for (let i = 0; i < 3; i++) await rig.status(create!, sid, 'ringing', { SequenceNumber: '1' });
    const after = (await sessionOf(ring.callSid))!;
    assert.equal(after.timeline.length, before.timeline.length);
    assert.equal(after.callback.lastStatus, 'in-progress', 'a replay moved lastStatus back');
    assert.equal(after.timeline.filter((e) => e.event === 'callback-status').length, 2);
    // The inbound leg's status callbacks too.
    await rig.status(null, ring.callSid, 'completed');
    const inbound = (await sessionOf(ring.callSid))!.timeline.length;
    await rig.status(null, ring.callSid, 'completed');
    assert.equal((await sessionOf(ring.callSid))!.timeline.length, inbound);
  });

  it('when distinct status callbacks keep coming for a session with 495 timeline entries, then its timeline stops at 500 entries and one timeline-truncated entry', async () => {
    const ring = await rig.incoming(CALLER);
    await rig.runJobs();
    const sid = rig.createdSid();
    const s = (await sessionOf(ring.callSid))!;
    // A long session's history, written at once (500 webhooks would only make the test slow).
    const filler = Array.from({ length: 495 - s.timeline.length }, (_, i) => ({ at: new Date(), event: 'filler', detail: { i } }));
    await callSessionModel(testDb()).updateOne({ _id: s._id }, { $push: { timeline: { $each: filler } } });
    for (let i = 0; i < 12; i++) {
      await handleCallStatus(rig.t.deps, { session: String(s._id), leg: 'callback' }, { CallSid: sid, CallStatus: 'in-progress', SequenceNumber: String(i) });
    }
    const after = (await callSessionModel(testDb()).findById(s._id).lean())!;
    assert.equal(after.timeline.length, 501);
    assert.equal(after.timeline.at(-1)!.event, 'timeline-truncated');
    assert.equal(after.timeline.filter((e) => e.event === 'timeline-truncated').length, 1);
  });
});
