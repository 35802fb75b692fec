import { z } from 'zod';
import type { StoredWebhook } from '../../src/domain/events/webhook-settings';
import { EVENT_TYPES } from '../../src/events/event-types';
import { money, moneyOut, moneyText } from '../http/schemas';

/** The `webhook` field of a client and of the operator's settings: how it is set and how it is shown. */

export const webhookIn = z
  .object({
    url: z.string().trim().min(1).max(2000).meta({ description: 'where events are POSTed: https (http only with EVENTS_ALLOW_PRIVATE_NETWORKS=true)' }),
    events: z
      .array(z.enum(EVENT_TYPES))
      .min(1)
      .max(EVENT_TYPES.length)
      .refine((e) => new Set(e).size === e.length, 'must not name an event twice'),
    lowCreditThreshold: moneyText().nullable().optional().meta({ description: 'credit.low: sent when a charge takes the balance below this amount; required with credit.low' }),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.events.includes('credit.low') && (w.lowCreditThreshold === null || w.lowCreditThreshold === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['lowCreditThreshold'], message: 'is required when events include credit.low' });
    }
  })
  .nullable()
  .meta({ description: 'the event webhook; null removes it (and its secret)' });

export const webhookOut = z
  .object({
    url: z.string(),
    events: z.array(z.enum(EVENT_TYPES)),
    lowCreditThreshold: moneyOut.nullable(),
    secret: z.string().optional().meta({ description: 'the signing secret: only in the answer that first sets the webhook, never again' }),
  })
  .strict()
  .nullable()
  .meta({ id: 'Webhook' });

export function presentWebhook(w: StoredWebhook | null | undefined, secret: string | null = null): z.infer<typeof webhookOut> {
  if (!w) return null;
  return {
    url: w.url,
    events: w.events as (typeof EVENT_TYPES)[number][],
    lowCreditThreshold: w.lowCreditThreshold === null || w.lowCreditThreshold === undefined ? null : money(w.lowCreditThreshold),
    ...(secret ? { secret } : {}),
  };
}

export const secretOut = z
  .object({ secret: z.string().meta({ description: 'the new signing secret, shown this once' }) })
  .strict()
  .meta({ id: 'WebhookSecret' });
