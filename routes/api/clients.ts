import { z } from 'zod';
import { validationError } from '../../src/errors';
import { createClient, deleteClient, listClients, loadClient, updateClient, type ClientDoc } from '../../src/domain/clients';
import { changeClientCredit, clientLedger, loadEntry, type CreditEntryDoc } from '../../src/domain/ledger';
import { rotateClientSecret, webhookChange } from '../../src/domain/events/webhook-settings';
import { assertOwnClient, idOrNotFound } from '../../src/domain/tenant';
import type { AppDeps } from '../../src/deps';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { presentWebhook, secretOut, webhookIn, webhookOut } from './webhook-schemas';
import { currency, errorBody, idParams, money, moneyOut, moneyText, objectId, page, pageQuery, prefix, standardErrors, timestamp } from '../http/schemas';

const clientFields = {
  name: z.string().trim().min(1).max(100),
  currency: currency,
  rateTableId: objectId,
  callbackRateTableId: objectId.nullable().meta({ description: 'prices the callback leg; null: the rate table prices it' }),
  unlimitedCredit: z.boolean(),
  maxConcurrentCalls: z.number().int().min(1).max(10_000).nullable(),
  allowPrefixes: z.array(prefix).max(500),
  denyPrefixes: z.array(prefix).max(500),
};

const createBody = z
  .object({
    ...clientFields,
    currency: currency.default('USD'),
    credit: moneyText().prefault('0.00'),
    unlimitedCredit: clientFields.unlimitedCredit.default(false),
    callbackRateTableId: clientFields.callbackRateTableId.default(null),
    maxConcurrentCalls: clientFields.maxConcurrentCalls.default(null),
    allowPrefixes: clientFields.allowPrefixes.default([]),
    denyPrefixes: clientFields.denyPrefixes.default([]),
  })
  .strict();

const patchBody = z
  .object({ ...clientFields, webhook: webhookIn })
  .partial()
  .strict();

export const clientOut = z
  .object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    balance: moneyOut,
    unlimitedCredit: z.boolean(),
    rateTableId: z.string(),
    callbackRateTableId: z.string().nullable(),
    maxConcurrentCalls: z.number().int().nullable(),
    allowPrefixes: z.array(z.string()),
    denyPrefixes: z.array(z.string()),
    webhook: webhookOut,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .strict()
  .meta({ id: 'Client' });

export function presentClient(c: ClientDoc, webhookSecret: string | null = null): z.infer<typeof clientOut> {
  return {
    id: String(c._id),
    name: c.name,
    currency: c.currency,
    balance: money(c.balance),
    unlimitedCredit: c.unlimitedCredit,
    rateTableId: String(c.rateTableId),
    callbackRateTableId: c.callbackRateTableId ? String(c.callbackRateTableId) : null,
    maxConcurrentCalls: c.maxConcurrentCalls ?? null,
    allowPrefixes: c.allowPrefixes,
    denyPrefixes: c.denyPrefixes,
    webhook: presentWebhook(c.webhook, webhookSecret),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export const creditEntryOut = z
  .object({
    id: z.string(),
    kind: z.enum(['initial', 'recharge', 'call-charge', 'adjustment']),
    amount: moneyOut,
    balanceAfter: moneyOut,
    note: z.string().nullable(),
    callId: z.string().nullable(),
    createdAt: timestamp,
  })
  .strict()
  .meta({ id: 'CreditEntry' });

export function presentEntry(e: CreditEntryDoc): z.infer<typeof creditEntryOut> {
  return {
    id: String(e._id),
    kind: e.kind,
    amount: money(e.amount),
    balanceAfter: money(e.balanceAfter ?? 0),
    note: e.note,
    callId: e.callId ? String(e.callId) : null,
    createdAt: e.createdAt.toISOString(),
  };
}

const creditBody = z.object({ amount: moneyText({ allowNegative: true, allowZero: false }), note: z.string().trim().max(500).optional() }).strict();

const creditOut = z
  .object({ balance: moneyOut, currency: z.string(), entries: z.array(creditEntryOut), nextCursor: z.string().nullable() })
  .strict()
  .meta({ id: 'ClientCredit' });

const clientId = (id: string) => idOrNotFound(id, 'client');

export const clientRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/clients',
    summary: 'Create a client (tenant) with its currency, initial credit and rate table',
    tag: 'clients',
    access: 'admin',
    body: createBody,
    responses: { 201: { description: 'created', schema: clientOut }, 409: { description: 'name taken', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, body }) => ({ status: 201, body: presentClient(await createClient(deps.db, body, deps.clock.now())) }),
  }),
  defineRoute({
    method: 'get',
    path: '/clients',
    summary: 'List clients',
    tag: 'clients',
    access: 'admin',
    query: pageQuery,
    responses: { 200: { description: 'a page of clients', schema: page(clientOut) }, ...standardErrors },
    handler: async ({ deps, query }) => {
      const p = await listClients(deps.db, query);
      return { status: 200, body: { items: p.items.map((c) => presentClient(c)), nextCursor: p.nextCursor } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/clients/:id',
    summary: 'Read a client (a client key reads only its own)',
    tag: 'clients',
    access: 'tenant',
    params: idParams,
    responses: { 200: { description: 'the client', schema: clientOut }, ...standardErrors },
    handler: async ({ deps, params, principal }) => {
      assertOwnClient(principal, params.id);
      return { status: 200, body: presentClient(await loadClient(deps.db, clientId(params.id))) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/clients/:id',
    summary: 'Change a client (credit changes go through /credit); a client key may change only its own webhook',
    tag: 'clients',
    access: 'tenant',
    params: idParams,
    body: patchBody,
    responses: { 200: { description: 'the client', schema: clientOut }, 409: { description: 'name taken', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params, body, principal }) => {
      assertOwnClient(principal, params.id);
      // Its own systems are the client's to name; its rates, credit and limits are the operator's.
      const operatorOnly = Object.keys(body).filter((k) => k !== 'webhook');
      if (principal.role === 'client' && operatorOnly.length > 0) {
        throw validationError(
          'a client key may change only its webhook',
          operatorOnly.map((path) => ({ path, message: 'only the operator may change this' })),
        );
      }
      const { client, secret } = await patchClient(deps, idOrNotFound(params.id, 'client'), body);
      return { status: 200, body: presentClient(client, secret) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/clients/:id/webhook/secret',
    summary: "Replace the signing secret of the client's event webhook; the answer shows the new one, once",
    tag: 'events',
    access: 'tenant',
    params: idParams,
    responses: { 200: { description: 'the new secret', schema: secretOut }, 409: { description: 'no webhook set', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params, principal }) => {
      assertOwnClient(principal, params.id);
      return { status: 200, body: { secret: await rotateClientSecret(deps.db, deps.secretBox, clientId(params.id)) } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/clients/:id',
    summary: 'Delete a client that has no extensions or numbers left',
    tag: 'clients',
    access: 'admin',
    params: idParams,
    responses: { 204: { description: 'deleted' }, 409: { description: 'still in use', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params }) => {
      await deleteClient(deps.db, idOrNotFound(params.id, 'client'));
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/clients/:id/credit',
    summary: 'Recharge (or correct) a client balance; adds a ledger entry atomically',
    tag: 'clients',
    access: 'admin',
    params: idParams,
    body: creditBody,
    responses: {
      201: { description: 'the entry', schema: creditEntryOut },
      409: { description: 'would take the balance below zero', schema: errorBody },
      ...standardErrors,
    },
    handler: async ({ deps, params, body }) => {
      const { entryId } = await changeClientCredit(deps.db, {
        clientId: idOrNotFound(params.id, 'client'),
        amount: body.amount,
        kind: 'recharge',
        note: body.note ?? null,
        now: deps.clock.now(),
      });
      return { status: 201, body: presentEntry(await loadEntry(deps.db, entryId)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/clients/:id/credit',
    summary: 'The balance and its history, newest first',
    tag: 'clients',
    access: 'tenant',
    params: idParams,
    query: pageQuery,
    responses: { 200: { description: 'balance and entries', schema: creditOut }, ...standardErrors },
    handler: async ({ deps, params, query, principal }) => {
      assertOwnClient(principal, params.id);
      const client = await loadClient(deps.db, clientId(params.id));
      const p = await clientLedger(deps.db, client._id, query);
      return {
        status: 200,
        body: { balance: money(client.balance), currency: client.currency, entries: p.items.map(presentEntry), nextCursor: p.nextCursor },
      };
    },
  }),
];

/** A change of the client; a `webhook` in it keeps the current secret, or makes one shown in this answer only. */
async function patchClient(deps: AppDeps, id: ReturnType<typeof clientId>, body: z.infer<typeof patchBody>): Promise<{ client: ClientDoc; secret: string | null }> {
  const { webhook, ...rest } = body;
  if (webhook === undefined) return { client: await updateClient(deps.db, id, rest), secret: null };
  const current = await loadClient(deps.db, id);
  const change = webhookChange(deps.secretBox, current.webhook, webhook, deps.config.eventsAllowPrivateNetworks);
  return { client: await updateClient(deps.db, id, { ...rest, webhook: change.stored }), secret: change.secret };
}
