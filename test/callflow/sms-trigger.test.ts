import assert from 'node:assert/strict';
import supertest from 'supertest';
import { callSessionModel } from '../../models/call-session';
import { jobModel } from '../../models/job';
import { SMS_TEXT } from '../../src/callflow/sms-twiml';
import { incomingSmsParams, readMessagingTwiml } from '../../src/twilio-sim/sms-sender';
import { findOne } from '../../src/twilio-sim/twiml-parse';
import { CALLER, CALLER_PIN, CallflowRig, NUMBER, says, STRANGER } from '../support/callflow';
import { testDb } from '../support/database';
import { TEST_ACCOUNT_SID, twilioSignatureFor } from '../support/harness';

/**
 * Issue 14, the SMS trigger: `POST /sms/incoming`, Twilio's incoming-message webhook, signed like the
 * voice ones. An SMS to a number that rings back to an extension asks for a callback to its sender
 * under the rules of a ring; a body that is a phone number is the destination.
 */
const UNKNOWN_NUMBER = '+442071830000';

let sidSeq = 0;
const messageSid = () => `SM${(++sidSeq).toString(16).padStart(32, '0')}`;

interface Reply {
  status: number;
  messages: string[];
  errors: string[];
  sid: string;
}

const sessionOfSms = (sid: string) =>
  callSessionModel(testDb())
    .findOne({ inboundCallSid: `sms:${sid}` })
    .lean();
const dialedNumber = (tree: Parameters<typeof findOne>[0]) => findOne(findOne(tree, 'Dial'), 'Number').text;

describe('SMS trigger: POST /sms/incoming asks for a callback', function () {
  this.timeout(60_000);
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
    await rig.seed();
  });
  afterEach(() => rig.stop());

  /** An SMS as Twilio posts it (the simulator's parameters), signed; the reply read as messaging TwiML. */
  async function text(from: string, body: string, opts: { sid?: string; to?: string; params?: Record<string, string> } = {}): Promise<Reply> {
    const sid = opts.sid ?? messageSid();
    const params = opts.params ?? incomingSmsParams({ accountSid: TEST_ACCOUNT_SID, from, to: opts.to ?? NUMBER, body, messageSid: sid });
    const res = await rig.t.signedPost('/sms/incoming', params);
    assert.match(String(res.headers['content-type']), /text\/xml/, `answered ${res.status} ${res.text}`);
    return { status: res.status, sid, ...readMessagingTwiml(res.text) };
  }

  const creates = () => rig.standin.callsCreated();

  it('when the authorized caller texts a word, then the reply says a callback is coming, the session is an sms one without destination, and the sender is called back from the number', async () => {
    const r = await text(CALLER, 'call me please');
    assert.equal(r.status, 200);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.messages, [SMS_TEXT.coming]);
    const s = await sessionOfSms(r.sid);
    assert.ok(s, 'no session stored');
    assert.equal(s.origin, 'sms');
    assert.equal(s.status, 'queued');
    assert.equal(s.calledNumber, NUMBER);
    assert.equal(s.requested?.destination ?? null, null);

    const placed = await rig.runJobs();
    assert.equal(placed.length, 1);
    assert.equal(placed[0]!.params.To, CALLER);
    assert.equal(placed[0]!.params.From, NUMBER);
    // The callback is a callback like a rung one: the password first, then the destination prompt.
    const first = await rig.answer(placed[0]!, rig.createdSid());
    assert.match(says(first).join(' '), /password/);
    const next = await rig.gather(first, `${CALLER_PIN}#`, rig.createdSid());
    assert.ok(findOne(next.tree, 'Gather'), 'no destination prompt after the password');
  });

  it('when the authorized caller texts a phone number, then it is the destination, dialed after the password without a prompt', async () => {
    const r = await text(CALLER, ' +1 (202) 555-0186 ');
    assert.deepEqual(r.messages, [SMS_TEXT.coming]);
    const s = await sessionOfSms(r.sid);
    assert.equal(s?.origin, 'sms');
    assert.equal(s?.requested?.destination, '+12025550186');

    const placed = await rig.runJobs();
    assert.equal(placed.length, 1);
    assert.equal(placed[0]!.params.To, CALLER);
    const sid = rig.createdSid();
    const first = await rig.answer(placed[0]!, sid);
    assert.match(says(first).join(' '), /password/, 'the password is still asked');
    const dial = await rig.gather(first, `${CALLER_PIN}#`, sid);
    assert.equal(dialedNumber(dial.tree), '+12025550186');
  });

  it('when national digits are texted, then they are read in the sender country and dialed so', async () => {
    const r = await text(CALLER, '202-555-0186');
    assert.deepEqual(r.messages, [SMS_TEXT.coming]);
    assert.equal((await sessionOfSms(r.sid))?.requested?.destination, '+12025550186');
  });

  it('when the SMS comes inside the extension quiet hours, then the reply gives the time it will call, in UTC, and nothing is placed before then', async () => {
    // The manual clock stands at 10:00 UTC (11:00 in Berlin): quiet until 13:15 Berlin, 12:15 UTC.
    await rig.admin.patch(`/api/extensions/${rig.extensionId}`, { callback: { quietHours: { start: '10:30', end: '13:15', timeZone: 'Europe/Berlin' } } }).expect(200);
    const r = await text(CALLER, 'hi');
    assert.deepEqual(r.messages, ['Thank you. We will call you back at 2026-01-15 12:15 UTC.']);
    const s = await sessionOfSms(r.sid);
    assert.equal(s?.status, 'scheduled');
    assert.equal(s?.requested?.dueAt.toISOString(), '2026-01-15T12:15:00.000Z');
    assert.equal((await rig.runJobs(60_000)).length, 0, 'placed inside the quiet hours');
  });

  it('when Twilio retries the same MessageSid, then the reply is the same and only one session, one job and one callback exist', async () => {
    const sid = messageSid();
    const first = await text(CALLER, 'hi', { sid });
    const again = await text(CALLER, 'hi', { sid });
    assert.deepEqual(again.messages, first.messages);
    assert.equal(await callSessionModel(testDb()).countDocuments({ inboundCallSid: `sms:${sid}` }), 1);
    const session = await sessionOfSms(sid);
    assert.equal(await jobModel(testDb()).countDocuments({ sessionId: session!._id, type: 'place-callback' }), 1);
    const placed = await rig.runJobs();
    assert.equal(placed.length, 1);
    await text(CALLER, 'hi', { sid });
    assert.equal((await rig.runJobs()).length, 0, 'a late retry asks for nothing more');
  });

  it('when a stranger texts, then the reply is the same refusal an unknown number gets, the refusal is stored with its reason, and no call is placed', async () => {
    const stranger = await text(STRANGER, 'call me');
    const unknown = await text(CALLER, 'call me', { to: UNKNOWN_NUMBER });
    assert.equal(stranger.status, 200);
    assert.deepEqual(stranger.messages, [SMS_TEXT.refused]);
    assert.deepEqual(unknown.messages, stranger.messages, 'a stranger must not tell a known number from an unknown one');
    const s = await sessionOfSms(stranger.sid);
    assert.equal(s?.origin, 'sms');
    assert.equal(s?.status, 'refused');
    assert.ok(s?.reason, 'the reason is stored for the operator');
    assert.equal(await sessionOfSms(unknown.sid), null, 'an unknown number stores nothing');
    assert.equal((await rig.runJobs()).length, 0);
    assert.equal(creates().length, 0);
  });

  it('when the authorized caller is disabled, then the reply is the same refusal text and the reason stays on our side', async () => {
    await rig.admin.patch(`/api/extensions/${rig.extensionId}/authorized-callers/${rig.callerId}`, { enabled: false }).expect(200);
    const r = await text(CALLER, '+12025550186');
    assert.deepEqual(r.messages, [SMS_TEXT.refused]);
    assert.equal((await sessionOfSms(r.sid))?.status, 'refused');
    assert.equal((await rig.runJobs()).length, 0);
  });

  it('when the request is unsigned or signed wrongly, then it is refused with 403 like a voice webhook and nothing is stored', async () => {
    const params = incomingSmsParams({ accountSid: TEST_ACCOUNT_SID, from: CALLER, to: NUMBER, body: 'hi', messageSid: messageSid() });
    const unsigned = await supertest(rig.app).post('/sms/incoming').type('form').send(params);
    assert.equal(unsigned.status, 403);
    const forged = await supertest(rig.app)
      .post('/sms/incoming')
      .set('X-Twilio-Signature', twilioSignatureFor('/sms/incoming', { ...params, From: STRANGER }))
      .type('form')
      .send(params);
    assert.equal(forged.status, 403);
    const otherUrl = await supertest(rig.app).post('/sms/incoming').set('X-Twilio-Signature', twilioSignatureFor('/voice/incoming', params)).type('form').send(params);
    assert.equal(otherUrl.status, 403);
    assert.equal(await callSessionModel(testDb()).countDocuments({}), 0);
    assert.equal((await rig.runJobs()).length, 0);
  });

  it('when a signed message has no sender, a garbled sender or no To, then it gets no reply (no SMS to pay for), never a 500, and no callback', async () => {
    const base = (sid: string) => ({ MessageSid: sid, SmsSid: sid, AccountSid: TEST_ACCOUNT_SID, To: NUMBER, Body: '+12025550186', NumMedia: '0', ApiVersion: '2010-04-01' });
    const noFrom = await text('', '', { params: base(messageSid()) });
    const blankFrom = await text('', '', { params: { ...base(messageSid()), From: '   ' } });
    const words = await text('', '', { params: { ...base(messageSid()), From: 'VERIFY' } });
    const operator = await text('', '', { params: { ...base(messageSid()), 'From[$ne]': 'x' } });
    const { To: _to, ...noTo } = base(messageSid());
    const noTarget = await text('', '', { params: { ...noTo, From: CALLER } });
    const tooLong = await text('', '', { params: { ...base(messageSid()), From: `+1${'2'.repeat(100)}` } });
    for (const r of [noFrom, blankFrom, words, operator, noTarget, tooLong]) {
      assert.equal(r.status, 200);
      assert.deepEqual(r.messages, []);
      assert.deepEqual(r.errors, []);
    }
    assert.equal((await rig.runJobs()).length, 0);
  });

  it("when the sender is on the operator's deny list, then it gets no reply at all (SMS pumping to premium numbers), and the refusal is stored", async () => {
    await rig.admin.patch('/api/settings/fraud', { denyPrefixes: ['+1202555'] }).expect(200);
    const r = await text(CALLER, 'call me');
    assert.equal(r.status, 200);
    assert.deepEqual(r.messages, []);
    const s = await sessionOfSms(r.sid);
    assert.equal(s?.status, 'refused');
    assert.equal(s?.reason, 'callback-target-denied');
    assert.equal((await rig.runJobs()).length, 0);
  });

  it('when a signed message has no valid MessageSid or repeats a field, then it is a 400 naming the field, not a reply', async () => {
    const params = { AccountSid: TEST_ACCOUNT_SID, From: CALLER, To: NUMBER, Body: 'hi' };
    const noSid = await rig.t.signedPost('/sms/incoming', params);
    assert.equal(noSid.status, 400);
    assert.equal(noSid.body.error.fields[0].path, 'MessageSid');
    const badSid = await rig.t.signedPost('/sms/incoming', { ...params, MessageSid: 'CA0123' });
    assert.equal(badSid.status, 400);
    // Twilio's validator drops a repeated identical pair, so this still validates: the form check refuses it.
    const signed = { ...params, MessageSid: messageSid() };
    const body = new URLSearchParams(signed);
    body.append('From', CALLER);
    const repeated = await supertest(rig.app).post('/sms/incoming').set('X-Twilio-Signature', twilioSignatureFor('/sms/incoming', signed)).type('form').send(body.toString());
    assert.equal(repeated.status, 400);
    assert.equal(repeated.body.error.fields[0].path, 'From');
    assert.equal(await callSessionModel(testDb()).countDocuments({}), 0);
  });
});
