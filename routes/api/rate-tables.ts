import { z } from 'zod';
import { createRateTable, deleteRateTable, listRateTables, loadRateTable, updateRateTable, type RateTableDoc } from '../../src/domain/rate-tables';
import { idOrNotFound } from '../../src/domain/tenant';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { currency, errorBody, idParams, money, moneyOut, moneyText, page, pageQuery, prefix, standardErrors, timestamp } from '../http/schemas';

const rateIn = z
  .object({
    prefix,
    perMinute: moneyText(),
    initialSeconds: z.number().int().min(1).max(3600).default(60),
    incrementSeconds: z.number().int().min(1).max(3600).default(60),
    connectFee: moneyText().prefault('0'),
  })
  .strict();

const uniquePrefixes = (rates: { prefix: string }[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  rates.forEach((r, i) => {
    if (seen.has(r.prefix)) ctx.addIssue({ code: 'custom', path: [i, 'prefix'], message: `prefix ${r.prefix} appears twice` });
    seen.add(r.prefix);
  });
};
const ratesIn = z.array(rateIn).max(5000).superRefine(uniquePrefixes);

const createBody = z.object({ name: z.string().trim().min(1).max(100), currency, rates: ratesIn }).strict();
const patchBody = createBody.partial().strict();

const rateTableOut = z
  .object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    rates: z.array(z.object({ prefix: z.string(), perMinute: moneyOut, initialSeconds: z.number().int(), incrementSeconds: z.number().int(), connectFee: moneyOut }).strict()),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .strict()
  .meta({ id: 'RateTable' });

const present = (t: RateTableDoc): z.infer<typeof rateTableOut> => ({
  id: String(t._id),
  name: t.name,
  currency: t.currency,
  rates: t.rates.map((r) => ({
    prefix: r.prefix,
    perMinute: money(r.perMinute),
    initialSeconds: r.initialSeconds,
    incrementSeconds: r.incrementSeconds,
    connectFee: money(r.connectFee),
  })),
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

const tableId = (id: string) => idOrNotFound(id, 'rate table');

export const rateTableRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/rate-tables',
    summary: 'Create a rate table: per-minute price, billing increments and connect fee per destination prefix',
    tag: 'rate-tables',
    access: 'admin',
    body: createBody,
    responses: { 201: { description: 'created', schema: rateTableOut }, 409: { description: 'name taken', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, body }) => {
      return { status: 201, body: present(await createRateTable(deps.db, body)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/rate-tables',
    summary: 'List rate tables',
    tag: 'rate-tables',
    access: 'admin',
    query: pageQuery,
    responses: { 200: { description: 'a page', schema: page(rateTableOut) }, ...standardErrors },
    handler: async ({ deps, query }) => {
      const p = await listRateTables(deps.db, query);
      return { status: 200, body: { items: p.items.map(present), nextCursor: p.nextCursor } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/rate-tables/:id',
    summary: 'Read a rate table',
    tag: 'rate-tables',
    access: 'admin',
    params: idParams,
    responses: { 200: { description: 'the rate table', schema: rateTableOut }, ...standardErrors },
    handler: async ({ deps, params }) => ({ status: 200, body: present(await loadRateTable(deps.db, tableId(params.id))) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/rate-tables/:id',
    summary: 'Change a rate table (rates are replaced as a whole)',
    tag: 'rate-tables',
    access: 'admin',
    params: idParams,
    body: patchBody,
    responses: { 200: { description: 'the rate table', schema: rateTableOut }, 409: { description: 'conflict', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params, body }) => {
      return { status: 200, body: present(await updateRateTable(deps.db, tableId(params.id), body)) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/rate-tables/:id',
    summary: 'Delete a rate table no client uses',
    tag: 'rate-tables',
    access: 'admin',
    params: idParams,
    responses: { 204: { description: 'deleted' }, 409: { description: 'a client uses it', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params }) => {
      await deleteRateTable(deps.db, tableId(params.id));
      return { status: 204 };
    },
  }),
];
