import type { Connection } from 'mongoose';
import { z } from 'zod';
import { clientModel } from '../../models/client';
import { rateTableModel, type RateTableDoc } from '../../models/rate-table';
import { paginate } from '../../src/domain/pagination';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { currency, errorBody, idParams, money, moneyOut, moneyText, page, pageQuery, prefix, standardErrors, timestamp } from '../http/schemas';
import { idOrNotFound } from '../../src/domain/tenant';
import { isDuplicateKey } from '../../src/db/duplicate-key';
import { conflict, notFound } from '../../src/errors';

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
    rates: z.array(
      z
        .object({ prefix: z.string(), perMinute: moneyOut, initialSeconds: z.number().int(), incrementSeconds: z.number().int(), connectFee: moneyOut })
        .strict(),
    ),
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

const duplicateName = (err: unknown): never => {
  if (isDuplicateKey(err)) throw conflict('a rate table with this name exists', 'duplicate', [{ path: 'name', message: 'already used' }]);
  throw err;
};

async function load(db: Connection, id: string) {
  const t = await rateTableModel(db).findById(idOrNotFound(id, 'rate table')).lean();
  if (!t) throw notFound('rate table');
  return t;
}

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
      const t = await rateTableModel(deps.db).create(body).catch(duplicateName);
      return { status: 201, body: present(t.toObject()) };
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
      const p = await paginate(rateTableModel(deps.db), {}, query);
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
    handler: async ({ deps, params }) => ({ status: 200, body: present(await load(deps.db, params.id)) }),
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
      const current = await load(deps.db, params.id);
      if (body.currency && body.currency !== current.currency && (await clientModel(deps.db).exists({ $or: [{ rateTableId: current._id }, { callbackRateTableId: current._id }] }))) {
        throw conflict('clients in the old currency use this rate table', 'in_use', [{ path: 'currency', message: 'in use by clients' }]);
      }
      const t = await rateTableModel(deps.db)
        .findOneAndUpdate({ _id: current._id }, { $set: body }, { returnDocument: 'after' })
        .lean()
        .catch(duplicateName);
      if (!t) throw notFound('rate table');
      return { status: 200, body: present(t) };
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
      const t = await load(deps.db, params.id);
      const users = await clientModel(deps.db).countDocuments({ $or: [{ rateTableId: t._id }, { callbackRateTableId: t._id }] });
      if (users) throw conflict(`${users} client(s) use this rate table`, 'in_use');
      await rateTableModel(deps.db).deleteOne({ _id: t._id });
      return { status: 204 };
    },
  }),
];
