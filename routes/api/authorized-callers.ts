import { z } from 'zod';
import {
  changeAuthorizedCallerCredit,
  createAuthorizedCaller,
  deleteAuthorizedCaller,
  EXPORT_MAX_ROWS,
  exportAuthorizedCallers,
  listAuthorizedCallers,
  loadAuthorizedCaller,
  SEARCH_MAX_LENGTH,
  toCsv,
  updateAuthorizedCaller,
} from '../../src/domain/authorized-callers';
import { currencyOf } from '../../src/domain/clients';
import { loadExtension } from '../../src/domain/extensions';
import { callerLedger, loadEntry } from '../../src/domain/ledger';
import { idOrNotFound } from '../../src/domain/tenant';
import { moneyTextProblem, parseMoney } from '../../src/money';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { e164, errorBody, MONEY_BOUND_MESSAGE, moneyText, moneyWithinBound, page, pageQuery } from '../http/schemas';
import { authorizedCallerOut, creditOut, creditView, CSV_HEADER, csvRow, presentAuthorizedCaller } from './authorized-caller-out';
import { creditEntryOut, presentEntry } from './clients';

export { authorizedCallerOut, presentAuthorizedCaller };

const extParams = z.object({ id: z.string() }).strict();
const callerParams = z.object({ id: z.string(), callerId: z.string() }).strict();

const password = z.string().regex(/^\d{4,12}$/, 'must be 4 to 12 digits');
// Control characters would break CSV rows and confuse whoever reads the list; a name is one line.
const name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters (line breaks, tabs)');

const credit = z
  .string()
  .meta({ description: '"unlimited", or a decimal amount like "5.00" (at most 4 decimals, not negative)', examples: ['unlimited', '5.00'] })
  .refine((t) => t === 'unlimited' || moneyTextProblem(t) === 'too-large' || (parseMoney(t) ?? -1) >= 0, 'must be "unlimited" or a non-negative decimal amount like "5.00"')
  .refine((t) => t === 'unlimited' || moneyWithinBound(t), MONEY_BOUND_MESSAGE)
  .transform((t): number | 'unlimited' => (t === 'unlimited' ? t : parseMoney(t)!));

const createBody = z
  .object({
    number: e164,
    password: password.nullable().optional().meta({ description: "the caller's own PIN; stored hashed, shown only as pinSet" }),
    name: name.nullable().optional(),
    enabled: z.boolean().default(true),
    credit: credit.default('unlimited'),
  })
  .strict();

const patchBody = z
  .object({
    number: e164.optional(),
    password: password.nullable().optional().meta({ description: 'a new PIN, or null to clear it' }),
    name: name.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

const listQuery = pageQuery
  .extend({
    q: z.string().trim().max(SEARCH_MAX_LENGTH).optional().meta({ description: 'case-insensitive substring of the number or the name' }),
    format: z
      .enum(['json', 'csv'])
      .optional()
      .meta({ description: `csv: every matching row (limit and cursor ignored), at most ${EXPORT_MAX_ROWS}` }),
  })
  .strict();

const creditBody = z.object({ amount: moneyText({ allowNegative: true, allowZero: false }), note: z.string().trim().max(500).optional() }).strict();

const errors = {
  400: { description: 'invalid input', schema: errorBody },
  401: { description: 'missing or unknown API key', schema: errorBody },
  404: { description: "extension or authorized caller ID not found (or another client's)", schema: errorBody },
};

const TAG = 'authorized callers';
const BASE = '/extensions/:id/authorized-callers';

export const authorizedCallerRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: BASE,
    summary: 'Authorize a caller ID on an extension, with its own PIN and credit ("unlimited" or an amount)',
    tag: TAG,
    access: 'tenant',
    params: extParams,
    body: createBody,
    responses: {
      201: { description: 'created', schema: authorizedCallerOut },
      409: { description: 'number already authorized on this extension', schema: errorBody },
      ...errors,
    },
    handler: async ({ deps, params, body, principal }) => {
      const ext = await loadExtension(deps.db, principal, params.id);
      const caller = await createAuthorizedCaller(deps.db, ext, body, deps.clock.now());
      return { status: 201, body: presentAuthorizedCaller(caller) };
    },
  }),
  defineRoute({
    method: 'get',
    path: BASE,
    summary: 'List (and search with q) the authorized caller IDs of an extension; format=csv exports them as text/csv',
    tag: TAG,
    access: 'tenant',
    params: extParams,
    query: listQuery,
    responses: {
      200: {
        description: 'a page (JSON), or with format=csv every matching row as text/csv',
        schema: page(authorizedCallerOut),
        alternatives: [{ contentType: 'text/csv' }],
      },
      ...errors,
    },
    handler: async ({ deps, params, query, principal, res }) => {
      const ext = await loadExtension(deps.db, principal, params.id);
      const { q, format, ...pq } = query;
      if (format === 'csv') {
        const { rows, truncated } = await exportAuthorizedCallers(deps.db, ext, q || undefined);
        res.setHeader('Content-Disposition', `attachment; filename="authorized-callers-${String(ext._id)}.csv"`);
        if (truncated) res.setHeader('X-Export-Truncated', `only the newest ${EXPORT_MAX_ROWS} rows; narrow the export with q`);
        return { status: 200, raw: { contentType: 'text/csv; charset=utf-8', text: toCsv(CSV_HEADER, rows.map(csvRow)) } };
      }
      const p = await listAuthorizedCallers(deps.db, ext, q || undefined, pq);
      return { status: 200, body: { items: p.items.map(presentAuthorizedCaller), nextCursor: p.nextCursor } };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/:callerId`,
    summary: 'Read an authorized caller ID',
    tag: TAG,
    access: 'tenant',
    params: callerParams,
    responses: { 200: { description: 'the authorized caller ID', schema: authorizedCallerOut }, ...errors },
    handler: async ({ deps, params, principal }) => {
      const ext = await loadExtension(deps.db, principal, params.id);
      const caller = await loadAuthorizedCaller(deps.db, ext, idOrNotFound(params.callerId, 'authorized caller ID'));
      return { status: 200, body: presentAuthorizedCaller(caller) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/:callerId`,
    summary: 'Change the number, name, PIN (null clears it) or enabled flag; credit changes go through /credit',
    tag: TAG,
    access: 'tenant',
    params: callerParams,
    body: patchBody,
    responses: {
      200: { description: 'the authorized caller ID', schema: authorizedCallerOut },
      409: { description: 'number already authorized on this extension', schema: errorBody },
      ...errors,
    },
    handler: async ({ deps, params, body, principal }) => {
      const ext = await loadExtension(deps.db, principal, params.id);
      const caller = await updateAuthorizedCaller(deps.db, ext, idOrNotFound(params.callerId, 'authorized caller ID'), body);
      return { status: 200, body: presentAuthorizedCaller(caller) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${BASE}/:callerId`,
    summary: 'Remove an authorized caller ID (its credit history is kept)',
    tag: TAG,
    access: 'tenant',
    params: callerParams,
    responses: { 204: { description: 'deleted' }, ...errors },
    handler: async ({ deps, params, principal }) => {
      const ext = await loadExtension(deps.db, principal, params.id);
      await deleteAuthorizedCaller(deps.db, ext, idOrNotFound(params.callerId, 'authorized caller ID'));
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/:callerId/credit`,
    summary: 'Recharge (or correct) a caller ID credit; a negative amount on an "unlimited" caller ID makes it limited at 0',
    tag: TAG,
    access: 'tenant',
    params: callerParams,
    body: creditBody,
    responses: {
      201: { description: 'the entry', schema: creditEntryOut },
      409: { description: 'would take the available credit below zero', schema: errorBody },
      ...errors,
    },
    handler: async ({ deps, params, body, principal }) => {
      const ext = await loadExtension(deps.db, principal, params.id);
      const entryId = await changeAuthorizedCallerCredit(
        deps.db,
        ext,
        idOrNotFound(params.callerId, 'authorized caller ID'),
        { amount: body.amount, note: body.note ?? null },
        deps.clock.now(),
      );
      return { status: 201, body: presentEntry(await loadEntry(deps.db, entryId)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/:callerId/credit`,
    summary: 'A caller ID credit and its history, newest first',
    tag: TAG,
    access: 'tenant',
    params: callerParams,
    query: pageQuery,
    responses: { 200: { description: 'credit and entries', schema: creditOut }, ...errors },
    handler: async ({ deps, params, query, principal }) => {
      const ext = await loadExtension(deps.db, principal, params.id);
      const caller = await loadAuthorizedCaller(deps.db, ext, idOrNotFound(params.callerId, 'authorized caller ID'));
      const [currency, p] = await Promise.all([currencyOf(deps.db, ext.clientId), callerLedger(deps.db, caller, query)]);
      return {
        status: 200,
        body: { ...creditView(caller), currency, entries: p.items.map(presentEntry), nextCursor: p.nextCursor },
      };
    },
  }),
];
