import { findRate, type Rate } from '../../billing/rating';
import { ratesOf } from '../../domain/call-sessions/conversation-store';
import { loadFraudSettings } from '../../domain/fraud-settings';
import { checkPrefixes, normalizeDestination, operatorDenies } from '../destination';
import { PROMPTS } from '../prompts';
import { recordEvent } from '../../domain/call-sessions/session-events';
import { sayAndHangup } from '../twiml';
import { countOnce, type Ctx, endSession } from './context';
import { dial } from './dial';
import { destinationPrompt } from './next-prompts';

/** Refused destinations a session may enter before it ends. */
const DESTINATION_TRIES = 2;

type Problem = 'invalidNumber' | 'deniedNumber' | 'noRate';

/** Whether the client may call the number and at which rate; the operator's deny list applies to every client. */
async function rateFor(ctx: Ctx, dialed: string): Promise<{ destination: string; rate: Rate } | { problem: Problem }> {
  const normalized = normalizeDestination(dialed, ctx.s.target ?? '');
  if (!normalized.ok) return { problem: 'invalidNumber' };
  const destination = normalized.e164;
  const [rates, fraud] = await Promise.all([ratesOf(ctx.deps.db, ctx.client.rateTableId), loadFraudSettings(ctx.deps.db)]);
  if (!checkPrefixes(destination, ctx.client.allowPrefixes, ctx.client.denyPrefixes).ok || operatorDenies(destination, fraud.denyPrefixes)) {
    return { problem: 'deniedNumber' };
  }
  const rate = findRate(rates, destination);
  return rate ? { destination, rate } : { problem: 'noRate' };
}

/** `POST /voice/callback/destination`: the number the caller dialed, within the dial window. */
export async function onDestination(ctx: Ctx, digits: string): Promise<string> {
  const now = ctx.deps.clock.now();
  const promptAt = ctx.s.destination.promptAt ?? now;
  const windowEnd = promptAt.getTime() + ctx.ext.callback.dialWindowSeconds * 1000;
  const dialed = digits.replace(/#+$/, '');
  // The window ends the collection: what was dialed by then is the number; nothing dialed ends the call.
  await recordEvent(ctx.deps.db, ctx.s._id, now, 'destination-dialed', { digits: dialed, afterWindow: now.getTime() > windowEnd });
  if (!dialed) return endSession(ctx, 'nothing-dialed', sayAndHangup(ctx.speech, ctx.talk.line('nothingDialed')));
  return dialOrRefuse(ctx, dialed, now);
}

/**
 * A requested callback's destination (POST /api/callbacks, an SMS), dialed once the caller is
 * authenticated instead of asking for one: checked again now, as dialed digits are (the client's
 * prefixes or rates may have changed since the request). Refused, the caller is asked for another.
 */
export async function dialRequested(ctx: Ctx, destination: string): Promise<string> {
  const now = ctx.deps.clock.now();
  await recordEvent(ctx.deps.db, ctx.s._id, now, 'destination-requested', { destination });
  // Stored in E.164; read as dialed digits are, with the keypad's `*` for its `+`.
  return dialOrRefuse(ctx, destination.startsWith('+') ? `*${destination.slice(1)}` : destination, now);
}

async function dialOrRefuse(ctx: Ctx, dialed: string, now: Date): Promise<string> {
  const found = await rateFor(ctx, dialed);
  if ('rate' in found) return dial(ctx, found.destination, found.rate);
  const s = await countOnce(ctx, { $inc: { 'destination.tries': 1 } });
  // The timeline keeps the English sentence: it is read by the operator, not the caller.
  await recordEvent(ctx.deps.db, ctx.s._id, now, 'destination-refused', { digits: dialed, reason: PROMPTS[found.problem] });
  const said = ctx.talk.line(found.problem);
  if ((s?.destination.tries ?? DESTINATION_TRIES) >= DESTINATION_TRIES) {
    return endSession(ctx, 'destination-refused', sayAndHangup(ctx.speech, said, ctx.talk.line('noMoreTries')));
  }
  return destinationPrompt(ctx, [said, ctx.talk.line('tryAgain')]);
}
