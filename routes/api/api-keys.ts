
import { z } from 'zod';
import { apiKeyModel, type ApiKeyDoc } from '../../models/api-key';
import { clientModel } from '../../models/client';
import { displayPrefix, hashApiKey, newApiKey } from '../../src/api/api-keys';
import { paginate } from '../../src/api/pagination';
import { defineRoute, type RouteSpec } from '../../src/api/route-spec';
import { errorBody, idParams, page, pageQuery, standardErrors, timestamp } from '../../src/api/schemas';
import { idOrNotFound } from '../../src/api/tenant';
import { conflict, notFound } from '../../src/errors';

const apiKeyOut = z
  .object({ id: z.string(), clientId: z.string(), name: z.string().nullable(), prefix: z.string(), createdAt: timestamp })
  .strict()
  .meta({ id: 'ApiKey' });
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
      const key = newApiKey();
      const doc = await apiKeyModel(deps.db).create({
        hash: hashApiKey(key),
        prefix: displayPrefix(key),
        role: 'admin',
        clientId: null,
        name: body.name,
        createdAt: deps.clock.now(),
      });
      return { status: 201, body: { ...presentAny(doc.toObject()), key } };
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
      const p = await paginate(apiKeyModel(deps.db), {}, query, { project: { hash: 0 } });
      return { status: 200, body: { items: p.items.map(presentAny), nextCursor: p.nextCursor } };
    },
  }),
];

export const apiKeyRoutes: RouteSpec[] = [
  ...operatorKeyRoutes,
  defineRoute({
    method: 'post',
    path: '/clients/:id/api-keys',
    summary: "Create an API key for a client; the key is shown once",
    tag: 'api-keys',
    access: 'admin',
    params: idParams,
    body: z.object({ name: z.string().trim().min(1).max(100).optional() }).strict(),
    responses: { 201: { description: 'the new key', schema: createdKeyOut }, ...standardErrors },
    handler: async ({ deps, params, body }) => {
      const clientId = idOrNotFound(params.id, 'client');
      if (!(await clientModel(deps.db).exists({ _id: clientId }))) throw notFound('client');
      const key = newApiKey();
      const doc = await apiKeyModel(deps.db).create({
        hash: hashApiKey(key),
        prefix: displayPrefix(key),
        role: 'client',
        clientId,
        name: body.name ?? null,
        createdAt: deps.clock.now(),
      });
      return { status: 201, body: { ...present(doc.toObject()), key } };
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
      const clientId = idOrNotFound(params.id, 'client');
      const p = await paginate(apiKeyModel(deps.db), { clientId, role: 'client' }, query);
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
      const keys = apiKeyModel(deps.db);
      const id = idOrNotFound(params.id, 'API key');
      const key = await keys.findById(id, { role: 1 }).lean();
      if (!key) throw notFound('API key');
      // Without ADMIN_API_KEY the stored operator keys are the only way in: keep at least one.
      if (key.role === 'admin' && !deps.config.adminApiKey && (await keys.countDocuments({ role: 'admin' })) <= 1) {
        throw conflict('the last operator key cannot be revoked; create another one first', 'last_operator_key');
      }
      // Keys are looked up on every request (no cache), so the next request with this one gets 401.
      const r = await keys.deleteOne({ _id: id });
      if (!r.deletedCount) throw notFound('API key');
      return { status: 204 };
    },
  }),
];

