import { z } from 'zod';
import { extensionWarnings, loadExtension, settingsOf, updateExtension } from '../../src/domain/extensions';
import { callerIdTable } from '../../src/domain/numbers';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { e164, idParams, pageQuery, standardErrors } from '../http/schemas';
import { extensionOut, presentExtension } from './extension-out';

/**
 * The seed's "Currently Using CallerID Numbers" table: every public number of the extension's client,
 * which extension it rings back to, its channel ("Resource"), and the seed's Default column:
 * "yes" (associated and the default), "set-as-default" (associated, not the default), "-" (not associated).
 * A default that is not associated still shows "yes": the seed allows such a default.
 */
const rowOut = z
  .object({
    number: z.string(),
    assigned: z.boolean(),
    ringsBackTo: z.object({ id: z.string(), extensionNumber: z.string() }).strict().nullable(),
    channel: z.object({ id: z.string(), name: z.string() }).strict(),
    default: z.enum(['yes', 'set-as-default', '-']),
  })
  .strict()
  .meta({ id: 'CallerIdRow' });

const tableOut = z.object({ items: z.array(rowOut), nextCursor: z.string().nullable() }).strict();

const putBody = z.object({ numbers: z.array(e164).max(100), defaultNumber: e164.nullable() }).strict();

export const callerIdRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/extensions/:id/caller-ids',
    summary: "The caller ID table: every public number of the extension's client and its status for this extension",
    tag: 'extensions',
    access: 'tenant',
    params: idParams,
    query: pageQuery,
    responses: { 200: { description: 'a page of rows', schema: tableOut }, ...standardErrors },
    handler: async ({ deps, params, query, principal }) => {
      const ext = await loadExtension(deps.db, principal, params.id);
      return { status: 200, body: await callerIdTable(deps.db, ext, query) };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/extensions/:id/caller-ids',
    summary: 'Assign the caller IDs of an extension and its default (numbers of another client are refused)',
    tag: 'extensions',
    access: 'tenant',
    params: idParams,
    body: putBody,
    responses: { 200: { description: 'the extension', schema: extensionOut }, ...standardErrors },
    handler: async ({ deps, params, body, principal }) => {
      const current = await loadExtension(deps.db, principal, params.id);
      const settings = settingsOf(current);
      const ext = await updateExtension(deps.db, current, {
        ...settings,
        callerId: { ...settings.callerId, numbers: body.numbers, defaultNumber: body.defaultNumber },
      });
      return { status: 200, body: presentExtension(ext, await extensionWarnings(deps.db, ext)) };
    },
  }),
];
