import type { PromptLine } from '../i18n/speaker';
import type { Ctx } from './context';
import { dialRequested } from './destination';
import { destinationPrompt, menuPrompt } from './next-prompts';

/** After the password (or without one): the credit menu when the extension offers it, else the destination. */
export async function afterAuth(ctx: Ctx, before: PromptLine[]): Promise<string> {
  if (ctx.ext.callback.allowCreditQuery) return menuPrompt(ctx, before);
  return destinationOrRequested(ctx, before);
}

/**
 * The destination prompt, or, for a requested callback that named its destination, the dial of it.
 * Only the first time: once it was refused or dialed, the caller is asked as on any callback.
 */
export async function destinationOrRequested(ctx: Ctx, before: PromptLine[]): Promise<string> {
  const requested = ctx.s.requested?.destination;
  if (requested && ctx.s.destination.tries === 0 && ctx.s.destination.dials === 0) return dialRequested(ctx, requested);
  return destinationPrompt(ctx, before);
}
