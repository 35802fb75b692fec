import assert from 'node:assert/strict';
import { parseStepRequest } from '../../../routes/http/twilio-params';

/** A conversation step's input, parsed and bounded once at the edge (pure: no database). */

const SESSION = '65f0c0ffee0000000000beef';
const q = (extra: Record<string, string> = {}) => ({ session: SESSION, step: '3', ...extra });

describe('voice edge: the typed input of a conversation step', () => {
  it('when the action URL has no valid session or step, then there is no step to run', () => {
    assert.equal(parseStepRequest({ step: '3' }, {}), null);
    assert.equal(parseStepRequest({ session: 'not-an-id', step: '3' }, {}), null);
    assert.equal(parseStepRequest({ session: SESSION, step: '12345' }, {}), null);
    assert.equal(parseStepRequest({ session: SESSION, step: '-1' }, {}), null);
  });

  it('when the keypad input holds other characters or is long, then only 0-9, * and # remain, at most 32', () => {
    const r = parseStepRequest(q(), { Digits: `12a3<b>#${'9'.repeat(40)}` })!;
    assert.equal(r.digits, `123#${'9'.repeat(28)}`);
    assert.equal(r.digits.length, 32);
    assert.equal(parseStepRequest(q(), {})!.digits, '');
  });

  it("when the dial outcome is reported, then its status is one of Twilio's, its duration a bounded whole number of seconds", () => {
    const ok = parseStepRequest(q({ reservation: '65f0c0ffee0000000000cafe' }), { DialCallStatus: 'completed', DialCallDuration: '125', DialCallSid: `CA${'a'.repeat(32)}` })!;
    assert.deepEqual(ok.dial, { status: 'completed', duration: 125, callSid: `CA${'a'.repeat(32)}` });
    assert.equal(ok.reservationId, '65f0c0ffee0000000000cafe');
    assert.equal(ok.step, 3);
    assert.deepEqual(parseStepRequest(q(), { DialCallStatus: 'exploded', DialCallDuration: '-5' })!.dial, { status: 'failed', duration: 0, callSid: null });
    assert.equal(parseStepRequest(q(), { DialCallDuration: '999999' })!.dial.duration, 86_400);
    assert.equal(parseStepRequest(q(), { DialCallDuration: '12.5' })!.dial.duration, 0);
    assert.equal(parseStepRequest(q({ reservation: 'x' }), {})!.reservationId, null);
  });
});
