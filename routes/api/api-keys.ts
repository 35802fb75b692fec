import { z } from 'zod';
import { createClientKey, createOperatorKey, listAllKeys, listClientKeys, revokeKey, type ApiKeyDoc } from '../../src/domain/api-keys';
import { idOrNotFound } from '../../src/domain/tenant';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { errorBody, idParams, page, pageQuery, standardErrors, timestamp } from '../http/schemas';

const apiKeyOut = z.object({ id: z.string(), clientId: z.string(), name: z.string().nullable(), prefix: z.string(), createdAt: timestamp }).strict().meta({ id: 'ApiKey' });
const createdKeyOut = apiKeyOut
  .extend({ key: z.string().meta({ description: 'shown once; only its hash is stored' }) })
  .strict()
  .meta({ id: 'CreatedApiKey' });

const present = (k: ApiKeyDoc) => ({
  id: String(k._id),
  clientId: String(k.clientId),
  name: k.name,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
});

/** Any key, operator's or client's, as the operator's key listing shows it (never the key or its hash). */
const anyKeyOut = z
  .object({
    id: z.string(),
    role: z.enum(['operator', 'client']),
    clientId: z.string().nullable(),
    name: z.string().nullable(),
    prefix: z.string(),
    createdAt: timestamp,
  })
  .strict()
  .meta({ id: 'AnyApiKey' });
const createdOperatorKeyOut = anyKeyOut
  .extend({ key: z.string().meta({ description: 'shown once; only its hash is stored' }) })
  .strict()
  .meta({ id: 'CreatedOperatorApiKey' });

const presentAny = (k: ApiKeyDoc) => ({
  id: String(k._id),
  role: k.role === 'admin' ? ('operator' as const) : ('client' as const),
  clientId: k.clientId ? String(k.clientId) : null,
  name: k.name,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
});

/** Operator keys (stored with role `admin`): a new one for rotation, the list of all keys, revocation of any. */
const operatorKeyRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/api-keys',
    summary: 'Create an operator API key (to rotate the operator key); the key is shown once',
    tag: 'api-keys',
    access: 'admin',
    body: z.object({ role: z.literal('operator'), name: z.string().trim().min(1).max(100) }).strict(),
    responses: { 201: { description: 'the new key', schema: createdOperatorKeyOut }, ...standardErrors },
    handler: async ({ deps, body }) => {
      const { doc, key } = await createOperatorKey(deps.db, body.name, deps.clock.now());
      return { status: 201, body: { ...presentAny(doc), key } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api-keys',
    summary: 'List every API key, operator and client keys (never the keys themselves)',
    tag: 'api-keys',
    access: 'admin',
    query: pageQuery,
    responses: { 200: { description: 'a page of keys', schema: page(anyKeyOut) }, ...standardErrors },
    handler: async ({ deps, query }) => {
      const p = await listAllKeys(deps.db, query);
      return { status: 200, body: { items: p.items.map(presentAny), nextCursor: p.nextCursor } };
    },
  }),
];

export const apiKeyRoutes: RouteSpec[] = [
  ...operatorKeyRoutes,
  defineRoute({
    method: 'post',
    path: '/clients/:id/api-keys',
    summary: 'Create an API key for a client; the key is shown once',
    tag: 'api-keys',
    access: 'admin',
    params: idParams,
    body: z.object({ name: z.string().trim().min(1).max(100).optional() }).strict(),
    responses: { 201: { description: 'the new key', schema: createdKeyOut }, ...standardErrors },
    handler: async ({ deps, params, body }) => {
      const { doc, key } = await createClientKey(deps.db, idOrNotFound(params.id, 'client'), body.name ?? null, deps.clock.now());
      return { status: 201, body: { ...present(doc), key } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/clients/:id/api-keys',
    summary: "List a client's API keys (never the keys themselves)",
    tag: 'api-keys',
    access: 'admin',
    params: idParams,
    query: pageQuery,
    responses: { 200: { description: 'a page of keys', schema: page(apiKeyOut) }, ...standardErrors },
    handler: async ({ deps, params, query }) => {
      const p = await listClientKeys(deps.db, idOrNotFound(params.id, 'client'), query);
      return { status: 200, body: { items: p.items.map(present), nextCursor: p.nextCursor } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api-keys/:id',
    summary: 'Revoke an API key, operator or client: its next request gets 401',
    tag: 'api-keys',
    access: 'admin',
    params: idParams,
    responses: { 204: { description: 'revoked' }, 409: { description: 'the last operator key', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params }) => {
      await revokeKey(deps.db, idOrNotFound(params.id, 'API key'), { adminKeyConfigured: Boolean(deps.config.adminApiKey) });
      return { status: 204 };
    },
  }),
];
