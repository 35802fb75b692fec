import type { KeySource } from '../keypads';
import type { TwimlNode } from '../twiml-parse';
import type { Verb, VerbContext } from './verb-context';

/** Say, Play and Pause: they take time and say what they play; inside a Gather a key stops them. */

/** Roughly the time Twilio's voice takes to speak a text: 15 characters a second. */
const SAY_CHARS_PER_SECOND = 15;

/** Plays `v`; with `keys` (inside a Gather) a key press stops it and is returned. */
export async function playMedia(ctx: VerbContext, v: TwimlNode, keys?: KeySource): Promise<string | null> {
  const ms = announce(ctx, v);
  if (keys?.keyDuringPrompt) return keys.keyDuringPrompt(ms, ctx.clock);
  await ctx.clock.sleep(ms);
  return null;
}

/** Emits what the verb plays; returns how long it plays. */
function announce(ctx: VerbContext, v: TwimlNode): number {
  const loop = v.attrs.loop !== undefined ? Number(v.attrs.loop) : 1;
  if (v.name === 'Say') {
    ctx.emit({ type: 'say', text: v.text, loop, ...(v.attrs.language ? { language: v.attrs.language } : {}), ...(v.attrs.voice ? { voice: v.attrs.voice } : {}) });
    return Math.ceil(v.text.length / SAY_CHARS_PER_SECOND) * 1000 * Math.max(1, loop);
  }
  if (v.name === 'Play') {
    if (v.attrs.digits !== undefined) ctx.emit({ type: 'play-digits', digits: v.attrs.digits });
    else ctx.emit({ type: 'play', url: v.text, loop });
    return 1000;
  }
  const seconds = v.attrs.length !== undefined ? Number(v.attrs.length) : 1;
  ctx.emit({ type: 'pause', seconds });
  return seconds * 1000;
}

/** A Say, Play or Pause among the document's verbs: plays to its end, the call goes on. */
export const media: Verb = async (ctx, v) => {
  await playMedia(ctx, v);
  return null;
};
