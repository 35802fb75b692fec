
import { z } from 'zod';
import { apiKeyModel, type ApiKeyDoc } from '../../models/api-key';
import { clientModel } from '../../models/client';
import { displayPrefix, hashApiKey, newApiKey } from '../../src/api/api-keys';
import { paginate } from '../../src/api/pagination';
import { defineRoute, type RouteSpec } from '../../src/api/route-spec';
import { idParams, page, pageQuery, standardErrors, timestamp } from '../../src/api/schemas';
import { idOrNotFound } from '../../src/api/tenant';
import { notFound } from '../../src/errors';

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

export const apiKeyRoutes: RouteSpec[] = [
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
    summary: 'Revoke a client API key',
    tag: 'api-keys',
    access: 'admin',
    params: idParams,
    responses: { 204: { description: 'revoked' }, ...standardErrors },
    handler: async ({ deps, params }) => {
      const r = await apiKeyModel(deps.db).deleteOne({ _id: idOrNotFound(params.id, 'API key'), role: 'client' });
      if (!r.deletedCount) throw notFound('API key');
      return { status: 204 };
    },
  }),
];

