import { newCallSid, TwimlError, type DialRecord } from '../call-result';
import type { DialTargetInfo, PartyBehaviour } from '../dialed-party';
import type { TwimlNode } from '../twiml-parse';
import type { Verb, VerbContext } from './verb-context';
import { methodOf } from './verb-context';

/** <Dial> to one <Number> or <Sip> (or a bare number): the far end as the dialed party plays it. */

const DIALABLE = new Set(['Number', 'Sip']);

function dialTarget(d: TwimlNode): DialTargetInfo {
  const noun = d.children.find((c) => DIALABLE.has(c.name));
  const target: DialTargetInfo = noun
    ? { kind: noun.name as 'Number' | 'Sip', address: noun.text, callerId: d.attrs.callerId ?? null }
    : { kind: 'Number', address: d.text, callerId: d.attrs.callerId ?? null };
  if (!target.address) throw new TwimlError('<Dial> has nothing to dial');
  const other = d.children.find((c) => !DIALABLE.has(c.name));
  if (other) throw new TwimlError(`<Dial> with <${other.name}> is not simulated`);
  return target;
}

/** Lets the dialed party's behaviour take its time; returns how the dial ended. */
async function ring(ctx: VerbContext, behaviour: PartyBehaviour, limits: { timeout: number; timeLimit: number }): Promise<{ status: string; duration: number; cut: boolean }> {
  const { clock } = ctx;
  switch (behaviour.outcome) {
    case 'answer': {
      if (behaviour.answerAfterS >= limits.timeout) {
        await clock.sleep(limits.timeout * 1000);
        return { status: 'no-answer', duration: 0, cut: false };
      }
      await clock.sleep(behaviour.answerAfterS * 1000);
      ctx.emit({ type: 'dial-answered', afterS: behaviour.answerAfterS });
      const duration = Math.min(behaviour.talkS, limits.timeLimit);
      await clock.sleep(duration * 1000);
      return { status: 'completed', duration, cut: behaviour.talkS > limits.timeLimit };
    }
    case 'busy':
      await clock.sleep(2000);
      return { status: 'busy', duration: 0, cut: false };
    case 'no-answer':
      await clock.sleep(limits.timeout * 1000);
      return { status: 'no-answer', duration: 0, cut: false };
    case 'failed':
      await clock.sleep(500);
      return { status: 'failed', duration: 0, cut: false };
  }
}

const SIP_RESPONSE: Record<string, string> = { completed: '200', busy: '486', 'no-answer': '487' };

/** What Twilio posts to the Dial's action. */
function actionParams(target: DialTargetInfo, result: DialRecord): Record<string, string> {
  const params: Record<string, string> = {
    DialCallStatus: result.status,
    DialCallSid: result.dialCallSid,
    DialCallDuration: String(result.duration),
    DialBridged: String(result.status === 'completed'),
  };
  if (target.kind === 'Sip') params.DialSipResponseCode = SIP_RESPONSE[result.status] ?? '500';
  return params;
}

export const dial: Verb = async (ctx, d) => {
  const index = ctx.nextDialIndex();
  const target = dialTarget(d);
  const timeLimit = d.attrs.timeLimit !== undefined ? Number(d.attrs.timeLimit) : 14400;
  const timeout = d.attrs.timeout !== undefined ? Number(d.attrs.timeout) : 30;
  ctx.emit({ type: 'dial-start', target, timeLimit, timeout });
  const behaviour = ctx.party(target, index);
  const dialCallSid = newCallSid();
  const { status, duration, cut } = await ring(ctx, behaviour, { timeout, timeLimit });
  const result: DialRecord = { status, duration, dialCallSid, cutByTimeLimit: cut };
  ctx.recordDial(result);
  ctx.emit({ type: 'dial-end', ...result });
  if (!d.attrs.action) return null;
  return { url: d.attrs.action, method: methodOf(d), params: actionParams(target, result), purpose: `dial ${index} action` };
};
