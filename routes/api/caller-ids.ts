import { Types } from 'mongoose';
import { z } from 'zod';
import { channelModel } from '../../models/channel';
import { extensionModel } from '../../models/extension';
import { phoneNumberModel } from '../../models/phone-number';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { e164, idParams, pageQuery, standardErrors } from '../http/schemas';
import { extensionWarnings, updateExtension } from '../../src/domain/extensions';
import { extensionOut, loadExtension, presentExtension, settingsOf } from './extensions';

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
      const filter: Record<string, unknown> = { clientId: ext.clientId };
      if (query.cursor) filter._id = { $lt: new Types.ObjectId(query.cursor) };
      const numbers = await phoneNumberModel(deps.db)
        .find(filter)
        .sort({ _id: -1 })
        .limit(query.limit + 1)
        .lean();
      const pageItems = numbers.slice(0, query.limit);
      const channelIds = [...new Set(pageItems.map((n) => String(n.channelId)))].map((id) => new Types.ObjectId(id));
      const extIds = [...new Set(pageItems.filter((n) => n.extensionId).map((n) => String(n.extensionId)))].map((id) => new Types.ObjectId(id));
      const [channels, exts] = await Promise.all([
        channelModel(deps.db).find({ _id: { $in: channelIds } }, { name: 1 }).lean(),
        extensionModel(deps.db).find({ _id: { $in: extIds } }, { extensionNumber: 1 }).lean(),
      ]);
      const channelName = new Map(channels.map((c) => [String(c._id), c.name]));
      const extNumber = new Map(exts.map((e) => [String(e._id), e.extensionNumber]));
      const assigned = new Set(ext.callerId.numbers);
      const items = pageItems.map((n) => ({
        number: n.number,
        assigned: assigned.has(n.number),
        ringsBackTo: n.extensionId ? { id: String(n.extensionId), extensionNumber: extNumber.get(String(n.extensionId)) ?? '?' } : null,
        channel: { id: String(n.channelId), name: channelName.get(String(n.channelId)) ?? '?' },
        default: (n.number === ext.callerId.defaultNumber ? 'yes' : assigned.has(n.number) ? 'set-as-default' : '-') as
          | 'yes'
          | 'set-as-default'
          | '-',
      }));
      return {
        status: 200,
        body: { items, nextCursor: numbers.length > query.limit ? String(pageItems[pageItems.length - 1]!._id) : null },
      };
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

