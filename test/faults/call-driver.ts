import assert from 'node:assert/strict';
import { jobModel } from '../../models/job';
import type { RecordedRequest } from '../../src/twilio-sim/rest-standin';
import { findAll, findOne } from '../../src/twilio-sim/twiml-parse';
import { type Answer, CALLER, callSid, DESTINATION, DESTINATION_DIGITS, gatherAction, NUMBER, PIN, SID, type ServiceRig, until } from './service-rig';

/** The steps of one callback session, in order, as Twilio drives them. */
export const STEPS = ['ring', 'callback', 'answer', 'pin', 'dial', 'dial-result', 'completed'] as const;
export type Step = (typeof STEPS)[number];

/** Talk time of the dialed party in these tests: 125 s at 0.0100/min in 30 s + 6 s blocks is 126 s, 0.0210. */
export const TALK_SECONDS = 125;
export const CHARGE = 210;

/**
 * Plays Twilio's part of one session against a ServiceRig: each step posts what Twilio would post and
 * checks the TwiML answered. `replay(step)` posts a step's webhook again (Twilio retrying it) and returns
 * the answer, which must be the very same TwiML.
 */
export class CallDriver {
  readonly inbound = callSid();
  readonly dialSid = callSid();
  create: RecordedRequest | null = null;
  callbackSid = '';
  /** The TwiML each step answered, and what it posted (for replays). */
  readonly answers = new Map<Step, Answer>();
  private readonly posted = new Map<Step, { url: string; params: Record<string, string> }>();

  constructor(private readonly rig: ServiceRig) {}

  async run(step: Step): Promise<Answer | null> {
    switch (step) {
      case 'ring': {
        const a = await this.send('ring', '/voice/incoming', this.rig.incomingParams(this.inbound));
        assert.equal(a.tree.children.length, 1, a.xml);
        assert.equal(findOne(a.tree, 'Reject').attrs.reason, 'busy');
        return a;
      }
      case 'callback': {
        this.create = await until('the callback create', () => this.rig.callbacksCreated()[0], 20_000);
        this.callbackSid = (this.create.response!.body as { sid: string }).sid;
        assert.equal(this.create.params.From, NUMBER);
        // The service recorded the CallSid and finished the job.
        await until('the CallSid recorded', async () => (await this.rig.session(this.inbound))?.callback.callSid === this.callbackSid);
        await until('the job finished', async () => (await jobModel(this.rig.db!).countDocuments({})) === 0);
        return null;
      }
      case 'answer': {
        for (const status of ['initiated', 'ringing']) await this.status(status);
        const a = await this.send('answer', String(this.create!.params.Url), {
          CallSid: this.callbackSid,
          AccountSid: SID,
          From: NUMBER,
          To: CALLER,
          CallStatus: 'in-progress',
          Direction: 'outbound-api',
          AnsweredBy: 'human',
        });
        gatherAction(a, 'pin');
        return a;
      }
      case 'pin': {
        const a = await this.send('pin', gatherAction(this.answers.get('answer')!, 'pin'), { CallSid: this.callbackSid, AccountSid: SID, Digits: `${PIN}#` });
        gatherAction(a, 'destination');
        return a;
      }
      case 'dial': {
        const a = await this.send('dial', gatherAction(this.answers.get('pin')!, 'destination'), {
          CallSid: this.callbackSid,
          AccountSid: SID,
          Digits: DESTINATION_DIGITS,
        });
        const dial = findOne(a.tree, 'Dial');
        assert.equal(findOne(dial, 'Number').text, DESTINATION);
        assert.ok(Number(dial.attrs.timeLimit) > TALK_SECONDS, a.xml);
        return a;
      }
      case 'dial-result': {
        const action = findOne(this.answers.get('dial')!.tree, 'Dial').attrs.action!;
        const a = await this.send('dial-result', action, {
          CallSid: this.callbackSid,
          AccountSid: SID,
          DialCallStatus: 'completed',
          DialCallDuration: String(TALK_SECONDS),
          DialCallSid: this.dialSid,
          DialBridged: 'true',
        });
        assert.equal(findAll(a.tree, 'Hangup').length, 1, a.xml);
        return a;
      }
      case 'completed':
        await this.status('completed', { CallDuration: String(TALK_SECONDS + 20) });
        return null;
    }
  }

  /** Twilio posting a step's webhook again (it got no answer, or retried); the answer must not change. */
  async replay(step: Step): Promise<Answer> {
    const sent = this.posted.get(step);
    assert.ok(sent, `${step} was never posted`);
    return this.rig.post(sent.url, sent.params);
  }

  /** Starts the step's webhook without waiting for its answer (to kill the service while it is held). */
  begin(step: 'ring'): Promise<Answer> {
    const params = this.rig.incomingParams(this.inbound);
    this.posted.set(step, { url: '/voice/incoming', params });
    return this.rig.post('/voice/incoming', params);
  }

  async status(status: string, extra: Record<string, string> = {}): Promise<void> {
    const a = await this.rig.post(String(this.create!.params.StatusCallback), {
      CallSid: this.callbackSid,
      AccountSid: SID,
      From: NUMBER,
      To: CALLER,
      CallStatus: status,
      Direction: 'outbound-api',
      ...extra,
    });
    assert.equal(a.status, 200);
  }

  private async send(step: Step, url: string, params: Record<string, string>): Promise<Answer> {
    this.posted.set(step, { url, params });
    const a = await this.rig.post(url, params);
    assert.equal(a.status, 200, `${step}: ${a.status}`);
    this.answers.set(step, a);
    return a;
  }
}
