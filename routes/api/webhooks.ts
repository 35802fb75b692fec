import { z } from 'zod';
import { listDeliveries, type WebhookDeliveryDoc } from '../../src/domain/events/delivery-store';
import { loadOperatorWebhook, rotateOperatorSecret, saveOperatorWebhook, webhookChange } from '../../src/domain/events/webhook-settings';
import { idOrNotFound, tenantFilter } from '../../src/domain/tenant';
import { EVENT_TYPES } from '../../src/events/event-types';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { errorBody, objectId, page, pageQuery, standardErrors, timestamp } from '../http/schemas';
import { presentWebhook, secretOut, webhookIn, webhookOut } from './webhook-schemas';

/** The operator's service-wide event webhook, and the deliveries of every webhook. */

const settingsOut = z.object({ webhook: webhookOut }).strict().meta({ id: 'WebhookSettings' });
const settingsBody = z.object({ webhook: webhookIn }).strict();

const DELIVERY_STATES = ['pending', 'delivered', 'failed', 'cancelled'] as const;

const deliveryOut = z
  .object({
    id: z.string(),
    eventId: z.string().meta({ description: 'the `id` of the event body: the same on every retry, for the receiver to deduplicate on' }),
    type: z.enum(EVENT_TYPES),
    callId: z.string(),
    clientId: z.string(),
    subscriber: z.enum(['client', 'operator']).meta({ description: "client: the client's own webhook; operator: the service-wide one" }),
    state: z.enum(DELIVERY_STATES).meta({ description: 'pending (to be tried or retried), delivered (a 2xx), failed (given up after 24 h), cancelled (not sent)' }),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastAttemptAt: timestamp.nullable(),
    nextAttemptAt: timestamp.nullable(),
    deliveredAt: timestamp.nullable(),
    url: z.string().nullable(),
    createdAt: timestamp,
  })
  .strict()
  .meta({ id: 'WebhookDelivery' });

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function presentDelivery(d: WebhookDeliveryDoc): z.infer<typeof deliveryOut> {
  return {
    id: String(d._id),
    eventId: d.eventId,
    type: d.type as (typeof EVENT_TYPES)[number],
    callId: String(d.sessionId),
    clientId: String(d.clientId),
    subscriber: d.subscriber,
    state: d.state,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode ?? null,
    lastError: d.lastError ?? null,
    lastAttemptAt: iso(d.lastAttemptAt),
    nextAttemptAt: d.state === 'pending' ? iso(d.nextAttemptAt) : null,
    deliveredAt: iso(d.deliveredAt),
    url: d.url ?? null,
    createdAt: d.eventAt.toISOString(),
  };
}

const deliveriesQuery = pageQuery
  .extend({
    clientId: objectId.optional(),
    subscriber: z.enum(['client', 'operator']).optional(),
    state: z.enum(DELIVERY_STATES).optional(),
    type: z.enum(EVENT_TYPES).optional(),
    callId: objectId.optional(),
  })
  .strict();

const oid = (id: string | undefined, what: string) => (id ? idOrNotFound(id, what) : undefined);

export const webhookRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/settings/webhook',
    summary: 'The service-wide event webhook (operator only; its secret is never shown here)',
    tag: 'events',
    access: 'admin',
    responses: { 200: { description: 'the settings', schema: settingsOut }, ...standardErrors },
    handler: async ({ deps }) => ({ status: 200, body: { webhook: presentWebhook(await loadOperatorWebhook(deps.db)) } }),
  }),
  defineRoute({
    method: 'patch',
    path: '/settings/webhook',
    summary: "Set or remove the service-wide event webhook (every client's events); the answer that first sets it shows its secret, once",
    tag: 'events',
    access: 'admin',
    body: settingsBody,
    responses: { 200: { description: 'the settings', schema: settingsOut }, ...standardErrors },
    handler: async ({ deps, body }) => {
      const change = webhookChange(deps.secretBox, await loadOperatorWebhook(deps.db), body.webhook, deps.config.eventsAllowPrivateNetworks);
      await saveOperatorWebhook(deps.db, change.stored, deps.clock.now());
      return { status: 200, body: { webhook: presentWebhook(change.stored, change.secret) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/settings/webhook/secret',
    summary: 'Replace the signing secret of the service-wide webhook; the answer shows the new one, once',
    tag: 'events',
    access: 'admin',
    responses: { 200: { description: 'the new secret', schema: secretOut }, 409: { description: 'no webhook set', schema: errorBody }, ...standardErrors },
    handler: async ({ deps }) => ({ status: 200, body: { secret: await rotateOperatorSecret(deps.db, deps.secretBox, deps.clock.now()) } }),
  }),
  defineRoute({
    method: 'get',
    path: '/webhook-deliveries',
    summary: 'Event deliveries with their status, newest first (a client key: those to its own webhook only; the operator: all, filterable)',
    tag: 'events',
    access: 'tenant',
    query: deliveriesQuery,
    responses: { 200: { description: 'a page of deliveries', schema: page(deliveryOut) }, ...standardErrors },
    handler: async ({ deps, query, principal }) => {
      const p = await listDeliveries(
        deps.db,
        tenantFilter(principal),
        { clientId: oid(query.clientId, 'client'), subscriber: query.subscriber, state: query.state, type: query.type, sessionId: oid(query.callId, 'call') },
        { limit: query.limit, cursor: query.cursor },
      );
      return { status: 200, body: { items: p.items.map(presentDelivery), nextCursor: p.nextCursor } };
    },
  }),
];
