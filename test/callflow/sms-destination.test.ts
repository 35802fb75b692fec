import assert from 'node:assert/strict';
import { parseSmsDestination } from '../../src/callflow/sms-destination';
import { messagingTwiml, SMS_TEXT, SMS_TWIML, scheduledText } from '../../src/callflow/sms-twiml';
import { findAll, parseTwiml, verbs } from '../../src/twilio-sim/twiml-parse';

describe('SMS trigger: the body as a destination, and the replies', () => {
  const US = '+12025550143';
  const UK = '+442071838750';

  it('when the body is a number written with spaces, dashes, dots or parentheses, then it is the destination as written, + kept', () => {
    assert.equal(parseSmsDestination('+44 20 7183 8750', US), '+442071838750');
    assert.equal(parseSmsDestination('  (202) 555-0186\n', US), '2025550186');
    assert.equal(parseSmsDestination('0044-20-7183-8750', US), '00442071838750');
    assert.equal(parseSmsDestination('011 44 20 7183 8750', US), '011442071838750');
    assert.equal(parseSmsDestination('202.555.0186', US), '2025550186');
    assert.equal(parseSmsDestination('+1 202/555 0186', UK), '+12025550186');
    assert.equal(parseSmsDestination('\u00a0+12025550186\u00a0', US), '+12025550186');
    assert.equal(parseSmsDestination(`${' '.repeat(50)}2025550186${' '.repeat(50)}`, US), '2025550186', 'padding is not length');
  });

  it("when national digits are texted, then they are read in the sender's country", () => {
    assert.equal(parseSmsDestination('020 7183 8750', UK), '02071838750');
    assert.equal(parseSmsDestination('020 7183 8750', US), null, 'no US number');
    assert.equal(parseSmsDestination('2025550186', UK), null, 'no UK number');
  });

  it('when the body is anything else, then there is no destination', () => {
    for (const body of [
      undefined,
      '',
      '   ',
      'call me',
      'call 2025550186',
      '2025550186 please',
      '+',
      '++12025550186',
      '12+025550186',
      '*2025550186',
      '2025550186#',
      '12', // too short to be a number
      '12345', // digits, but no number
      '+999 123 456 789', // no such country
      '+12345', // shorter than any E.164 number
      '+1234567890123456', // 16 digits: longer than E.164
      '012345678901234567890', // 21 digits
      '２０２５５５０１８６', // full-width digits are not digits here
      '2025550186; DROP',
      `+1${' '.repeat(30)}2025550186`, // longer than a number is written
    ]) {
      assert.equal(parseSmsDestination(body, US), null, JSON.stringify(body));
    }
  });

  it('when a reply is built, then it is messaging TwiML: <Response> holding one <Message> with the text, escaped', () => {
    for (const [xml, text] of [
      [SMS_TWIML.coming, SMS_TEXT.coming],
      [SMS_TWIML.refused, SMS_TEXT.refused],
      [SMS_TWIML.failed, SMS_TEXT.failed],
      [messagingTwiml('a < b & "c"'), 'a < b & "c"'],
    ] as const) {
      const tree = parseTwiml(xml);
      assert.deepEqual(verbs(tree), ['Message']);
      assert.equal(findAll(tree, 'Message')[0]!.text, text);
    }
    assert.notEqual(SMS_TEXT.refused, SMS_TEXT.coming);
    assert.doesNotMatch(SMS_TEXT.refused, /credit|authori|unknown|number|deny|denied|lock/i, 'a refusal says nothing of why');
  });

  it('when a callback is scheduled, then the reply gives its time in UTC to the minute', () => {
    assert.equal(scheduledText(new Date('2026-12-02T07:00:59.999Z')), 'Thank you. We will call you back at 2026-12-02 07:00 UTC.');
  });
});
