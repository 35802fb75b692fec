import { callerAllowance } from '../../domain/call-sessions/conversation-store';
import type { Money } from '../i18n/spoken-amount';
import { recordEvent } from '../../domain/call-sessions/session-events';
import type { Ctx } from './context';
import { destinationOrRequested } from './after-auth';
import { menuPrompt } from './next-prompts';

/** `POST /voice/callback/menu`: 1 says the credit, 2 goes on to the destination; anything else asks again. */
export async function onMenu(ctx: Ctx, digits: string): Promise<string> {
  if (digits === '1') {
    const credit = await spokenCredit(ctx);
    await recordEvent(ctx.deps.db, ctx.s._id, ctx.deps.clock.now(), 'credit-query', {});
    return menuPrompt(ctx, ctx.talk.credit(credit));
  }
  if (digits === '2') return destinationOrRequested(ctx, []);
  return menuPrompt(ctx, digits ? [ctx.talk.line('invalidChoice')] : []);
}

/** The authorized caller ID's available credit when limited, otherwise the client's balance. */
async function spokenCredit(ctx: Ctx): Promise<Money> {
  if (ctx.s.authorizedCallerId) {
    const caller = await callerAllowance(ctx.deps.db, ctx.s.authorizedCallerId);
    if (caller && !caller.unlimited) return { amount: caller.available, currency: ctx.client.currency };
  }
  return { amount: ctx.client.balance, currency: ctx.client.currency };
}
