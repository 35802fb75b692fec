import type { Connection, Types } from 'mongoose';
import { lockoutModel } from '../../models/lockout';
import assert from 'node:assert/strict';
import type { Express } from 'express';
import { callSessionModel } from '../../models/call-session';
import { placeCallbackHandler } from '../../src/callflow/place-callback';
import { JobRunner } from '../../src/jobs/job-runner';
import { TwilioRestStandin } from '../../src/twilio-sim/rest-standin';
import { findOne, parseTwiml, type TwimlNode } from '../../src/twilio-sim/twiml-parse';
import { assertValidTwiml } from '../../src/twilio-sim/twiml-validator';
import { apiAs, createClientWithKey, type ApiAs } from './api';
import { testDb } from './database';
import { createTestApp, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_PUBLIC_BASE_URL, type TestApp } from './harness';

/**
 * A callback service wired to the Twilio REST stand-in, with helpers that play Twilio's part: signed
 * webhooks, the held ring under the manual clock, and following the TwiML's action URLs.
 * Every TwiML document the service answers is validated against Twilio's schema.
 */
export const NUMBER = '+442071838750'; // the Twilio number that rings back to the extension
export const CALLER = '+12025550143'; // an authorized caller ID
export const STRANGER = '+12025550199';
export const CALLER_PIN = '4321';

let sidSeq = 0;
export const callSid = () => `CA${(++sidSeq).toString(16).padStart(32, '0')}`;

export interface Answer {
  status: number;
  xml: string;
  tree: TwimlNode;
}

export class CallflowRig {
  readonly standin: TwilioRestStandin;
  t!: TestApp;
  runner!: JobRunner;
  admin!: ApiAs;
  clientId = '';
  extensionId = '';
  callerId = '';
  channelId = '';
  /** The seeded ring time, which incoming() lets pass on the manual clock. */
  ringMs = 5_000;

  constructor() {
    this.standin = new TwilioRestStandin({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
  }

  get app(): Express {
    return this.t.app;
  }

  async start(opts: { random?: () => number; env?: Record<string, string> } = {}): Promise<void> {
    const base = await this.standin.start();
    this.t = createTestApp({ twilioApiBaseUrl: base, ...(opts.random ? { random: opts.random } : {}), ...(opts.env ? { env: opts.env } : {}) });
    this.runner = new JobRunner(this.t.deps, { 'place-callback': placeCallbackHandler(this.t.deps) }, { owner: 'test-runner' });
    this.admin = apiAs(this.t.app);
  }

  async stop(): Promise<void> {
    this.standin.assertNoViolations();
    await this.standin.stop();
  }

  /** Rate table, client with credit, a Twilio channel, a number that rings back to a callback extension, an authorized caller. */
  async seed(opts: { callback?: Record<string, unknown>; callerId?: Record<string, unknown>; client?: Record<string, unknown>; callerCredit?: string } = {}) {
    const rt = await this.admin
      .post('/api/rate-tables', {
        name: `rates-${Math.random()}`,
        currency: 'USD',
        rates: [
          { prefix: '+44', perMinute: '0.0200', initialSeconds: 60, incrementSeconds: 60 },
          { prefix: '+1', perMinute: '0.0100', initialSeconds: 30, incrementSeconds: 6 },
        ],
      })
      .expect(201);
    const c = await createClientWithKey(this.app, { credit: '10.00', rateTableId: rt.body.id, ...opts.client });
    this.clientId = c.clientId;
    const ch = await this.admin.post('/api/channels', { name: `PSTN-${Math.random()}`, type: 'twilio', prefixes: [] }).expect(201);
    this.channelId = ch.body.id;
    const ext = await this.admin
      .post('/api/extensions', {
        clientId: c.clientId,
        extensionNumber: '0003*003',
        name: 'Front desk',
        // The rig's figures are the dial leg's alone unless a test charges the callback leg (test/callflow/both-legs.test.ts).
        callback: { returnCalls: 'authorized', triggerAfterSeconds: 5, requireCallerPassword: true, chargeCallbackLeg: false, ...opts.callback },
        callerId: opts.callerId ?? {},
      })
      .expect(201);
    this.extensionId = ext.body.id;
    this.ringMs = ext.body.callback.triggerAfterSeconds * 1000;
    await this.admin.post(`/api/channels/${ch.body.id}/numbers`, { number: NUMBER, clientId: c.clientId, extensionId: ext.body.id }).expect(201);
    const caller = await this.admin
      .post(`/api/extensions/${ext.body.id}/authorized-callers`, { number: CALLER, password: CALLER_PIN, credit: opts.callerCredit ?? 'unlimited' })
      .expect(201);
    this.callerId = caller.body.id;
  }

  async post(pathAndQuery: string, params: Record<string, string>): Promise<Answer> {
    const res = await this.t.signedPost(pathAndQuery, params);
    assert.match(String(res.headers['content-type']), /text\/xml/, `${pathAndQuery} answered ${res.status} ${res.text}`);
    await assertValidTwiml(res.text);
    return { status: res.status, xml: res.text, tree: parseTwiml(res.text) };
  }

  /** An inbound call as Twilio posts it; the held ring is released by moving the manual clock. */
  async incoming(from: string, sid = callSid(), extra: Record<string, string> = {}): Promise<Answer & { callSid: string }> {
    const pending = this.post('/voice/incoming', {
      CallSid: sid,
      AccountSid: TEST_ACCOUNT_SID,
      From: from,
      To: NUMBER,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
      ...extra,
    });
    await this.releaseHold(this.ringMs, 1, pending);
    return { ...(await pending), callSid: sid };
  }

  /**
   * Waits until the service holds `holds` responses (or `answered`, the request itself, has come back
   * without holding), then moves the clock past the ring time. Bounded by count, with a wide margin: a
   * webhook that reconnects to a restarted database takes seconds to reach its hold, and a clock moved
   * before the hold begins would never end it.
   */
  async releaseHold(ms = this.ringMs, holds = 1, answered?: Promise<unknown>): Promise<void> {
    let done = false;
    void answered?.then(
      () => (done = true),
      () => (done = true),
    );
    for (let i = 0; i < 12_000 && !done && this.t.clock.pendingSleeps < holds; i++) await new Promise((r) => setTimeout(r, 5));
    this.t.clock.advance(ms);
  }

  /** Rings, lets the callback be placed and answered by a human; returns the first TwiML of the conversation. */
  async callbackAnswered(from = CALLER): Promise<{ first: Answer; sid: string; inbound: string }> {
    const ring = await this.incoming(from);
    const creates = await this.runJobs();
    assert.equal(creates.length, 1, `no callback for ${from}: ${(await sessionOf(ring.callSid))?.reason}`);
    const sid = this.createdSid();
    return { first: await this.answer(creates[0]!, sid), sid, inbound: ring.callSid };
  }

  /** Moves time past the reject-to-callback delay and runs due jobs; returns the calls.create requests made. */
  async runJobs(advanceMs = 5_000) {
    this.t.clock.advance(advanceMs);
    const before = this.standin.callsCreated().length;
    await this.runner.runDue();
    return this.standin.callsCreated().slice(before);
  }

  /** Path and query of an absolute URL the service gave Twilio (it must be under PUBLIC_BASE_URL). */
  static local(url: string): string {
    assert.ok(url.startsWith(TEST_PUBLIC_BASE_URL), `${url} is not under PUBLIC_BASE_URL`);
    return url.slice(TEST_PUBLIC_BASE_URL.length);
  }

  /** Twilio answering the callback: the answer URL of a calls.create request. */
  async answer(create: { params: Record<string, string | string[]> }, sid: string, answeredBy = 'human'): Promise<Answer> {
    return this.post(CallflowRig.local(String(create.params.Url)), { CallSid: sid, AccountSid: TEST_ACCOUNT_SID, AnsweredBy: answeredBy, CallStatus: 'in-progress' });
  }

  /** Twilio posting a <Gather>'s result to its action. */
  async gather(prev: Answer, digits: string, sid: string): Promise<Answer> {
    const g = findOne(prev.tree, 'Gather');
    const params: Record<string, string> = { CallSid: sid, AccountSid: TEST_ACCOUNT_SID };
    if (digits !== '') params.Digits = digits;
    return this.post(CallflowRig.local(g.attrs.action!), params);
  }

  /** Twilio posting a <Dial>'s outcome to its action. */
  async dialEnded(prev: Answer, sid: string, r: { status: string; duration?: number; dialSid?: string }): Promise<Answer> {
    const d = findOne(prev.tree, 'Dial');
    return this.post(CallflowRig.local(d.attrs.action!), {
      CallSid: sid,
      AccountSid: TEST_ACCOUNT_SID,
      DialCallStatus: r.status,
      DialCallDuration: String(r.duration ?? 0),
      DialCallSid: r.dialSid ?? callSid(),
    });
  }

  async status(create: { params: Record<string, string | string[]> } | null, sid: string, status: string, extra: Record<string, string> = {}) {
    const path = create ? CallflowRig.local(String(create.params.StatusCallback)) : '/voice/status';
    const res = await this.t.signedPost(path, { CallSid: sid, AccountSid: TEST_ACCOUNT_SID, CallStatus: status, ...extra });
    assert.equal(res.status, 200);
    await assertValidTwiml(res.text);
  }

  /** The CallSid the stand-in gave a create request. */
  createdSid(index = -1): string {
    const r = this.standin.callsCreated().at(index);
    const sid = (r?.response?.body as { sid?: string } | undefined)?.sid;
    assert.ok(sid, 'no call was created');
    return sid;
  }
}

/** The session of an inbound CallSid, as stored. */
export const sessionOf = (inboundCallSid: string) => callSessionModel(testDb()).findOne({ inboundCallSid }).lean();

export const says = (a: Answer): string[] => collect(a.tree, 'Say');
function collect(n: TwimlNode, name: string): string[] {
  return [...(n.name === name ? [n.text] : []), ...n.children.flatMap((c) => collect(c, name))];
}
export { TEST_PUBLIC_BASE_URL };

/** A lockout of `target` on an extension for the next hour, as countWrongPin writes it (models/lockout.ts). */
export async function lockOut(db: Connection, extensionId: Types.ObjectId | string, target: string, now: Date, failedSessions = 10) {
  await lockoutModel(db).create({ _id: `${extensionId}:${target}`, extensionId, target, until: new Date(now.getTime() + 3_600_000), failedSessions, createdAt: now });
}
