import assert from 'node:assert/strict';
import { BUSY_TWIML, dialTwiml, emptyTwiml, gatherTwiml, hangupTwiml, playAndHangup, rejectTwiml, sayAndHangup, type Speech } from '../../src/callflow/twiml';
import { parseTwiml, type TwimlNode } from '../../src/twilio-sim/twiml-parse';
import { assertValidTwiml } from '../../src/twilio-sim/twiml-validator';

/** The TwiML builders on their own: exact documents, parsed, no database and no HTTP. */

const EN: Speech = { language: 'en-US', voice: null };
const FR: Speech = { language: 'fr-FR', voice: 'Polly.Lea' };
const ACTION = 'https://callback.example.test/voice/callback/pin?session=s1';
const SOUND = 'https://callback.example.test/sounds/t1/welcome.mp3';

const node = (name: string, attrs: Record<string, string> = {}, text = '', children: TwimlNode[] = []): TwimlNode => ({ name, attrs, text, children });
const response = (...children: TwimlNode[]): TwimlNode => node('Response', {}, '', children);

/** Parses the document, checks it as Twilio would (our rules, and the XSD when present), returns the tree. */
async function tree(xml: string): Promise<TwimlNode> {
  await assertValidTwiml(xml);
  return parseTwiml(xml);
}

describe('TwiML builders (pure)', () => {
  it('when the incoming call is answered, then it is one busy <Reject> and nothing else', async () => {
    assert.deepEqual(await tree(BUSY_TWIML), response(node('Reject', { reason: 'busy' })));
    assert.deepEqual(await tree(rejectTwiml('rejected')), response(node('Reject', { reason: 'rejected' })));
  });

  it('when a status callback is answered, then the document is an empty <Response>', async () => {
    assert.deepEqual(await tree(emptyTwiml()), response());
  });

  it('when hanging up, then a lone <Hangup>', async () => {
    assert.deepEqual(await tree(hangupTwiml()), response(node('Hangup')));
  });

  it('when lines are said before hanging up, then each is a <Say> in the speech language (no voice attribute without a voice), a recorded one a <Play>, then <Hangup>', async () => {
    const xml = sayAndHangup(EN, 'Goodbye.', { play: SOUND }, 'Really.');
    assert.deepEqual(
      await tree(xml),
      response(node('Say', { language: 'en-US' }, 'Goodbye.'), node('Play', {}, SOUND), node('Say', { language: 'en-US' }, 'Really.'), node('Hangup')),
    );
  });

  it('when the speech has a voice, then every <Say> names it', async () => {
    assert.deepEqual(await tree(sayAndHangup(FR, 'Au revoir.')), response(node('Say', { language: 'fr-FR', voice: 'Polly.Lea' }, 'Au revoir.'), node('Hangup')));
  });

  it('when a line holds XML characters, then they are escaped in the document and said as written', async () => {
    const line = 'Tom & Jerry <3 "quotes"';
    const xml = sayAndHangup(EN, line);
    assert.ok(!xml.includes('<3'), xml);
    assert.equal((await tree(xml)).children[0]!.text, line);
  });

  it('when a PIN is gathered, then lines before it are said outside, the prompts inside, and Twilio posts even on silence', async () => {
    const xml = gatherTwiml(EN, { action: ACTION, lines: ['Enter your password.', { play: SOUND }], finishOnKey: '#', timeout: 7, before: ['Welcome.'] });
    assert.deepEqual(
      await tree(xml),
      response(
        node('Say', { language: 'en-US' }, 'Welcome.'),
        node('Gather', { input: 'dtmf', action: ACTION, method: 'POST', timeout: '7', actionOnEmptyResult: 'true', finishOnKey: '#' }, '', [
          node('Say', { language: 'en-US' }, 'Enter your password.'),
          node('Play', {}, SOUND),
        ]),
      ),
    );
  });

  it("when a one-key menu is gathered, then numDigits is set and finishOnKey left to Twilio's default", async () => {
    const g = (await tree(gatherTwiml(FR, { action: ACTION, lines: ['Tapez 1.'], numDigits: 1, timeout: 5 }))).children[0]!;
    assert.deepEqual(g.attrs, { input: 'dtmf', action: ACTION, method: 'POST', timeout: '5', actionOnEmptyResult: 'true', numDigits: '1' });
    assert.deepEqual(g.children, [node('Say', { language: 'fr-FR', voice: 'Polly.Lea' }, 'Tapez 1.')]);
  });

  it('when finishOnKey is empty, then the attribute is present and empty (so "#" is an ordinary key)', async () => {
    const g = (await tree(gatherTwiml(EN, { action: ACTION, lines: ['Digits.'], finishOnKey: '', timeout: 5 }))).children[0]!;
    assert.equal(g.attrs.finishOnKey, '');
  });

  it('when a number is dialed, then <Dial> carries the action, time limit, ring timeout, answerOnBridge and caller ID, with one <Number>', async () => {
    const xml = dialTwiml(EN, {
      before: ['Connecting.'],
      callerId: '+14155550100',
      timeLimit: 180,
      action: ACTION,
      ringTimeout: 30,
      target: { kind: 'number', address: '+442079460000' },
    });
    assert.deepEqual(
      await tree(xml),
      response(
        node('Say', { language: 'en-US' }, 'Connecting.'),
        node('Dial', { action: ACTION, method: 'POST', timeLimit: '180', timeout: '30', answerOnBridge: 'true', callerId: '+14155550100' }, '', [
          node('Number', {}, '+442079460000'),
        ]),
      ),
    );
  });

  it("when no caller ID is chosen, then <Dial> has no callerId attribute (Twilio uses the call's own)", async () => {
    const d = (await tree(dialTwiml(EN, { before: [], callerId: null, timeLimit: 60, action: ACTION, ringTimeout: 20, target: { kind: 'number', address: '+14155550123' } })))
      .children[0]!;
    assert.equal(d.name, 'Dial');
    assert.equal('callerId' in d.attrs, false);
  });

  /** The <Dial> element of a one-minute dial of `target`. */
  const sipDial = async (target: Parameters<typeof dialTwiml>[1]['target']) =>
    (await tree(dialTwiml(EN, { before: [], callerId: null, timeLimit: 60, action: ACTION, ringTimeout: 20, target }))).children[0]!;

  it('when a SIP address is dialed with credentials, then <Sip> carries username and password and the URI with its headers', async () => {
    const uri = 'sip:alice@pbx.example.test?X-Caller=%2B14155550123';
    const d = await sipDial({ kind: 'sip', address: uri, sipUsername: 'alice', sipPassword: 's3cret' });
    assert.deepEqual(d.children, [node('Sip', { username: 'alice', password: 's3cret' }, uri)]);
  });

  it('when a SIP address is dialed without credentials, then <Sip> has no attributes', async () => {
    const d = await sipDial({ kind: 'sip', address: 'sip:bob@pbx.example.test', sipUsername: null, sipPassword: null });
    assert.deepEqual(d.children, [node('Sip', {}, 'sip:bob@pbx.example.test')]);
  });

  it('when a sound is played before hanging up, then <Play> of its URL, or its text said when it has no recording', async () => {
    assert.deepEqual(await tree(playAndHangup(EN, { url: SOUND })), response(node('Play', {}, SOUND), node('Hangup')));
    assert.deepEqual(await tree(playAndHangup(FR, { text: 'Merci.' })), response(node('Say', { language: 'fr-FR', voice: 'Polly.Lea' }, 'Merci.'), node('Hangup')));
  });
});
