import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import twilio from 'twilio';
import { fastClock, newCallSid, scriptedKeys, TwimlInterpreter, type CallLeg, type CallResult, type PartyBehaviour, type SimEvent } from '../../src/twilio-sim/interpreter';
import { findTwilioReferenceDir } from '../../src/twilio-sim/reference-dir';

/**
 * The TwiML interpreter against a tiny app serving fixed documents, each verb as Twilio documents it.
 * Every request's X-Twilio-Signature is checked with twilio.validateRequest.
 */
const TOKEN = 'interp-test-token-0123456789';
const ACCOUNT = `AC${'ab'.repeat(16)}`;

interface Hit {
  path: string;
  params: Record<string, string>;
}

describe('TwiML interpreter', function () {
  this.timeout(60_000);
  let server: http.Server;
  let base = '';
  let docs: Record<string, string> = {};
  let hits: Hit[] = [];
  let badSignatures = 0;

  before(async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.all('/{*path}', (req, res) => {
      const url = `${base}${req.originalUrl}`;
      const params = (req.method === 'POST' ? req.body : {}) as Record<string, string>;
      if (!twilio.validateRequest(TOKEN, String(req.header('x-twilio-signature')), url, params)) {
        badSignatures++;
        res.status(403).send('bad signature');
        return;
      }
      hits.push({ path: req.path, params: { ...params, ...(req.query as Record<string, string>) } });
      const doc = docs[req.path];
      if (doc === undefined) {
        res.status(404).send('no such document');
        return;
      }
      res.type('text/xml').send(`<?xml version="1.0" encoding="UTF-8"?><Response>${doc.replaceAll('{BASE}', base)}</Response>`);
    });
    server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    docs = {};
    hits = [];
    badSignatures = 0;
  });
  afterEach(() => assert.equal(badSignatures, 0, 'a request was not signed as Twilio signs'));

  const leg = (over: Partial<CallLeg> = {}): CallLeg => ({
    callSid: newCallSid(),
    accountSid: ACCOUNT,
    from: '+12025550143',
    to: '+12025550100',
    direction: 'outbound-api',
    initialStatus: 'in-progress',
    ...over,
  });

  async function run(
    opts: { keys?: string[]; party?: PartyBehaviour; leg?: Partial<CallLeg>; validation?: 'auto' | 'structure' } = {},
  ): Promise<CallResult & { elapsedS: number; says: string[]; eventsOf: <T extends SimEvent['type']>(t: T) => Array<Extract<SimEvent, { type: T }>> }> {
    const clock = fastClock();
    const interp = new TwimlInterpreter(leg(opts.leg), {
      authToken: TOKEN,
      clock,
      keys: scriptedKeys(opts.keys ?? []),
      party: () => opts.party ?? { outcome: 'answer', answerAfterS: 2, talkS: 30 },
      ...(opts.validation ? { validation: opts.validation } : {}),
    });
    const r = await interp.run(`${base}/start`);
    return {
      ...r,
      elapsedS: clock.elapsedMs() / 1000,
      says: r.events.flatMap((e) => (e.type === 'say' ? [e.text] : [])),
      eventsOf: <T extends SimEvent['type']>(t: T) => r.events.filter((e): e is Extract<SimEvent, { type: T }> => e.type === t),
    };
  }
  const hit = (path: string) => hits.find((h) => h.path === path);

  describe('requests', () => {
    it('when the call starts, then the answer URL gets the form parameters Twilio sends, signed', async () => {
      docs['/start'] = '<Hangup/>';
      const r = await run({ leg: { firstRequestExtra: { AnsweredBy: 'human' } } });
      assert.equal(r.outcome, 'hangup');
      const p = hit('/start')!.params;
      for (const k of ['CallSid', 'AccountSid', 'From', 'To', 'CallStatus', 'Direction', 'ApiVersion']) assert.ok(p[k], `missing ${k}`);
      assert.equal(p.CallStatus, 'in-progress');
      assert.equal(p.Direction, 'outbound-api');
      assert.equal(p.ApiVersion, '2010-04-01');
      assert.equal(p.AnsweredBy, 'human');
    });
  });

  describe('<Say>, <Play>, <Pause>, <Hangup>, <Reject>, <Redirect>', () => {
    it('when a document has Say, Play, Pause then Hangup, then the call ends at the Hangup after the pause', async () => {
      docs['/start'] = `<Say>Hello</Say><Play>https://example.test/a.mp3</Play><Pause length="7"/><Hangup/>`;
      const r = await run();
      assert.equal(r.outcome, 'hangup');
      assert.deepEqual(
        r.events.filter((e) => ['say', 'play', 'pause', 'hangup'].includes(e.type)).map((e) => e.type),
        ['say', 'play', 'pause', 'hangup'],
      );
      assert.equal(r.eventsOf('pause')[0]!.seconds, 7);
      assert.ok(r.elapsedS >= 7, `elapsed ${r.elapsedS}`);
    });

    it('when an inbound call is answered with <Reject reason="busy">, then the call ends rejected and unanswered', async () => {
      docs['/start'] = '<Reject reason="busy"/>';
      const r = await run({ leg: { direction: 'inbound', initialStatus: 'ringing' } });
      assert.equal(r.outcome, 'rejected');
      assert.equal(r.reason, 'busy');
      assert.equal(r.answered, false);
      assert.equal(r.durationS, 0);
      assert.equal(hit('/start')!.params.CallStatus, 'ringing');
    });

    it('when <Reject> has no reason, then the reason is "rejected"', async () => {
      docs['/start'] = '<Reject/>';
      const r = await run({ leg: { direction: 'inbound', initialStatus: 'ringing' } });
      assert.equal(r.reason, 'rejected');
    });

    it('when the document redirects, then the redirect URL is fetched and played', async () => {
      docs['/start'] = '<Redirect>{BASE}/next?x=1</Redirect>';
      docs['/next'] = '<Say>after redirect</Say>';
      const r = await run();
      assert.equal(r.outcome, 'completed'); // end of document
      assert.deepEqual(r.says, ['after redirect']);
      assert.equal(hit('/next')!.params.x, '1');
    });
  });

  describe('<Gather>', () => {
    const gatherThen = (attrs: string) => `<Gather input="dtmf" action="{BASE}/got" ${attrs}><Say>Enter</Say></Gather><Say>fell through</Say><Hangup/>`;

    it('when keys end with the finishOnKey (default #), then the action gets Digits without it', async () => {
      docs['/start'] = gatherThen('');
      docs['/got'] = '<Hangup/>';
      await run({ keys: ['1234#'] });
      assert.equal(hit('/got')!.params.Digits, '1234');
    });

    it('when finishOnKey is "*" or empty, then "#" is an ordinary digit', async () => {
      docs['/start'] = gatherThen('finishOnKey="*"');
      docs['/got'] = '<Hangup/>';
      await run({ keys: ['12#*'] });
      assert.equal(hit('/got')!.params.Digits, '12#');
      hits = [];
      docs['/start'] = gatherThen('finishOnKey="" numDigits="3"');
      await run({ keys: ['1#5'] });
      assert.equal(hit('/got')!.params.Digits, '1#5');
    });

    it('when numDigits is reached, then the gather ends at once with exactly that many digits', async () => {
      docs['/start'] = gatherThen('numDigits="1"');
      docs['/got'] = '<Hangup/>';
      const r = await run({ keys: ['27'] });
      assert.equal(hit('/got')!.params.Digits, '2');
      assert.equal(r.eventsOf('gather-end')[0]!.reason, 'numDigits');
    });

    it('when keys come slower than the timeout, then the timeout is per digit: digits before the gap are posted', async () => {
      docs['/start'] = gatherThen('timeout="3"');
      docs['/got'] = '<Hangup/>';
      // 2 s gaps: fine (per digit, 8 s in total > 3 s); then a 4 s gap ends it.
      await run({ keys: ['1..2..3..4....5'] });
      assert.equal(hit('/got')!.params.Digits, '1234');
    });

    it('when there is no input, then execution falls through to the next verb and the action is not requested', async () => {
      docs['/start'] = gatherThen('timeout="4"');
      docs['/got'] = '<Hangup/>';
      const r = await run({ keys: [''] });
      assert.equal(hit('/got'), undefined);
      assert.deepEqual(r.says, ['Enter', 'fell through']);
      assert.equal(r.outcome, 'hangup');
      assert.ok(r.elapsedS >= 4);
    });

    it('when there is no input and actionOnEmptyResult="true", then the action is requested without Digits', async () => {
      docs['/start'] = gatherThen('actionOnEmptyResult="true"');
      docs['/got'] = '<Say>empty</Say><Hangup/>';
      const r = await run({ keys: [''] });
      assert.ok(hit('/got'));
      assert.equal('Digits' in hit('/got')!.params, false);
      assert.deepEqual(r.says, ['Enter', 'empty']);
    });

    it('when the timeout is not given, then it is 5 s per digit', async () => {
      docs['/start'] = gatherThen('');
      docs['/got'] = '<Hangup/>';
      await run({ keys: ['1....2......3'] }); // 4 s gap passes, 6 s gap ends it
      assert.equal(hit('/got')!.params.Digits, '12');
    });
  });

  describe('<Dial>', () => {
    const dialDoc = (attrs: string, noun = '<Number>+12025550186</Number>') => `<Dial action="{BASE}/dialed" ${attrs}>${noun}</Dial>`;

    it('when the dialed party answers and hangs up, then the action gets DialCallStatus completed, DialCallDuration and a DialCallSid', async () => {
      docs['/start'] = dialDoc('timeout="20"');
      docs['/dialed'] = '<Hangup/>';
      const r = await run({ party: { outcome: 'answer', answerAfterS: 3, talkS: 42 } });
      const p = hit('/dialed')!.params;
      assert.equal(p.DialCallStatus, 'completed');
      assert.equal(p.DialCallDuration, '42');
      assert.match(p.DialCallSid!, /^CA[0-9a-f]{32}$/);
      assert.ok(p.CallSid && p.DialCallSid !== p.CallSid);
      assert.equal(r.outcome, 'hangup');
    });

    it('when the party is busy, then DialCallStatus is busy with duration 0', async () => {
      docs['/start'] = dialDoc('');
      docs['/dialed'] = '<Hangup/>';
      await run({ party: { outcome: 'busy' } });
      assert.equal(hit('/dialed')!.params.DialCallStatus, 'busy');
      assert.equal(hit('/dialed')!.params.DialCallDuration, '0');
    });

    it('when the party does not answer within the dial timeout, then DialCallStatus is no-answer after that timeout', async () => {
      docs['/start'] = dialDoc('timeout="12"');
      docs['/dialed'] = '<Hangup/>';
      const r = await run({ party: { outcome: 'answer', answerAfterS: 30, talkS: 10 } });
      assert.equal(hit('/dialed')!.params.DialCallStatus, 'no-answer');
      assert.ok(r.elapsedS >= 12 && r.elapsedS < 30, `elapsed ${r.elapsedS}`);
    });

    it('when the dial fails, then DialCallStatus is failed', async () => {
      docs['/start'] = dialDoc('', '<Sip>sip:+442079460000@trunk.example.test</Sip>');
      docs['/dialed'] = '<Hangup/>';
      await run({ party: { outcome: 'failed' } });
      assert.equal(hit('/dialed')!.params.DialCallStatus, 'failed');
    });

    it('when the talk time exceeds timeLimit, then the bridge is cut at timeLimit and the action TwiML still plays to the caller', async () => {
      docs['/start'] = dialDoc('timeLimit="10"');
      docs['/dialed'] = '<Play>https://example.test/bye.mp3</Play><Hangup/>';
      const r = await run({ party: { outcome: 'answer', answerAfterS: 1, talkS: 60 } });
      assert.equal(hit('/dialed')!.params.DialCallDuration, '10');
      assert.equal(r.dials[0]!.cutByTimeLimit, true);
      assert.equal(r.eventsOf('play')[0]!.url, 'https://example.test/bye.mp3');
    });

    it('when <Dial> has no action, then the call continues with the next verb', async () => {
      docs['/start'] = '<Dial><Number>+12025550186</Number></Dial><Say>after dial</Say>';
      const r = await run();
      assert.deepEqual(r.says, ['after dial']);
      assert.equal(r.outcome, 'completed');
    });
  });

  describe('invalid TwiML is an error that stops the call', () => {
    it('when a document has an unknown verb, then the call ends with an error', async () => {
      docs['/start'] = '<Say>hi</Say><Sing>la</Sing>';
      const r = await run();
      assert.equal(r.outcome, 'error');
      assert.match(r.reason!, /Sing/);
      assert.deepEqual(r.says, [], 'nothing of an invalid document is played');
    });

    it('when an action URL is relative, then the call ends with an error', async () => {
      docs['/start'] = '<Gather action="/got"><Say>Enter</Say></Gather>';
      const r = await run({ keys: ['1#'] });
      assert.equal(r.outcome, 'error');
      assert.match(r.reason!, /absolute|relative/);
    });

    it('when a Redirect URL is not http(s), then the call ends with an error', async () => {
      docs['/start'] = '<Redirect>ftp://example.test/next</Redirect>';
      const r = await run();
      assert.equal(r.outcome, 'error');
    });

    it('when verbs are nested wrongly or an attribute is unknown, then the call ends with an error', async () => {
      docs['/start'] = '<Gather action="{BASE}/got"><Dial>+12025550186</Dial></Gather>';
      assert.equal((await run()).outcome, 'error');
      docs['/start'] = '<Say colour="blue">hi</Say>';
      assert.equal((await run()).outcome, 'error');
    });

    it("when Twilio's reference dir is absent (structure checks only), then unknown verbs and relative URLs are still refused", async () => {
      docs['/start'] = '<Sing>la</Sing>';
      assert.equal((await run({ validation: 'structure' })).outcome, 'error');
      docs['/start'] = '<Redirect>/next</Redirect>';
      assert.equal((await run({ validation: 'structure' })).outcome, 'error');
      docs['/start'] = '<Say>fine</Say>';
      assert.equal((await run({ validation: 'structure' })).outcome, 'completed');
    });

    it('when a verb follows <Hangup> (unreachable) and the schema checks run, then the document is refused', async function () {
      if (!findTwilioReferenceDir()) this.skip();
      docs['/start'] = '<Hangup/><Say>never</Say>';
      assert.equal((await run()).outcome, 'error');
    });

    it('when the document is not well-formed XML or the webhook fails, then the call ends with an error', async () => {
      docs['/start'] = '<Say>hi';
      assert.equal((await run()).outcome, 'error');
      docs['/start'] = '<Redirect>{BASE}/missing</Redirect>';
      const r = await run();
      assert.equal(r.outcome, 'error');
      assert.match(r.reason!, /404/);
    });
  });
});
