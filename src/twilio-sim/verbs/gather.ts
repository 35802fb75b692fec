import { TwimlError } from '../call-result';
import type { TwimlNode } from '../twiml-parse';
import { playMedia } from './media';
import type { Verb, VerbContext } from './verb-context';
import { methodOf } from './verb-context';

/** <Gather input="dtmf">: its prompts, the keys until finishOnKey, numDigits or the timeout, the action. */

interface GatherSpec {
  index: number;
  timeoutS: number;
  finishOnKey: string;
  numDigits: number | null;
  action: string | null;
}

type GatherEnd = 'finishOnKey' | 'numDigits' | 'timeout';

function readGather(ctx: VerbContext, g: TwimlNode): GatherSpec {
  const index = ctx.nextGatherIndex();
  const input = g.attrs.input ?? 'dtmf';
  if (!input.split(/\s+/).includes('dtmf')) throw new TwimlError(`<Gather input="${input}">: only dtmf is simulated`);
  return {
    index,
    timeoutS: g.attrs.timeout !== undefined ? Number(g.attrs.timeout) : 5,
    finishOnKey: g.attrs.finishOnKey ?? '#',
    numDigits: g.attrs.numDigits !== undefined ? Number(g.attrs.numDigits) : null,
    action: g.attrs.action ?? null,
  };
}

/** Nested prompts play first; a key pressed during one cuts it (and the rest) short and counts. */
async function playPrompts(ctx: VerbContext, g: TwimlNode, index: number): Promise<string | null> {
  for (const child of g.children) {
    const key = await playMedia(ctx, child, ctx.keys);
    if (key !== null) {
      ctx.emit({ type: 'prompt-cut', index, key });
      return key;
    }
  }
  return null;
}

async function collectDigits(ctx: VerbContext, spec: GatherSpec, first: string | null): Promise<{ digits: string; reason: GatherEnd }> {
  const { keys, clock } = ctx;
  let pending = first;
  let digits = '';
  for (;;) {
    const pressed = pending;
    pending = null;
    // With no keypad, the caller presses nothing: the whole timeout passes.
    const key = pressed ?? (keys ? await keys.nextKey(spec.timeoutS * 1000, clock) : await clock.sleep(spec.timeoutS * 1000).then(() => null));
    if (key === null) return { digits, reason: 'timeout' };
    if (spec.finishOnKey !== '' && key === spec.finishOnKey) return { digits, reason: 'finishOnKey' };
    digits += key;
    if (spec.numDigits !== null && digits.length >= spec.numDigits) return { digits, reason: 'numDigits' };
  }
}

export const gather: Verb = async (ctx, g) => {
  const spec = readGather(ctx, g);
  const { index, timeoutS, finishOnKey, numDigits, action } = spec;
  ctx.keys?.startGather?.(index, { timeoutS, finishOnKey, numDigits });
  const first = await playPrompts(ctx, g, index);
  ctx.emit({ type: 'gather-start', index, timeoutS, finishOnKey, numDigits, action });
  const { digits, reason } = await collectDigits(ctx, spec, first);
  ctx.keys?.endGather?.();
  ctx.emit({ type: 'gather-end', index, digits, reason });
  const empty = digits === '';
  if (empty && g.attrs.actionOnEmptyResult !== 'true') {
    // Twilio: no input before the timeout falls through to the next verb.
    ctx.emit({ type: 'gather-fallthrough', index });
    return null;
  }
  if (!action) {
    // Without action Twilio posts to the current document's URL; the service always gives one.
    throw new TwimlError('<Gather> without action: the simulator needs an absolute action URL');
  }
  const params: Record<string, string> = empty ? {} : { Digits: digits };
  return { url: action, method: methodOf(g), params, purpose: `gather ${index}` };
};
