import type { Connection } from 'mongoose';
import { z } from 'zod';
import { channelsOfNumbers, deleteNumber, listNumbers, loadNumber, updateNumber, type PhoneNumberDoc } from '../../src/domain/numbers';
import { idOrNotFound, tenantFilter } from '../../src/domain/tenant';
import { validationError } from '../../src/errors';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { errorBody, idParams, objectId, page, pageQuery, standardErrors, timestamp } from '../http/schemas';

export const NumberOut = z
  .object({
    id: z.string(),
    number: z.string().meta({ description: 'E.164' }),
    channel: z
      .object({ id: z.string(), name: z.string(), type: z.enum(['twilio', 'sip']) })
      .strict()
      .meta({ description: 'the channel (the seed\'s "resource") the number is defined for' }),
    clientId: z.string().nullable().meta({ description: 'the client the number is assigned to; null: the unassigned pool' }),
    extensionId: z.string().nullable().meta({ description: '"rings back to": a call to this number triggers this extension' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .strict()
  .meta({ id: 'PhoneNumber' });
type NumberOutT = z.infer<typeof NumberOut>;

/** Presents numbers with their channel, loading every channel of the page in one query. */
export async function presentNumbers(db: Connection, docs: PhoneNumberDoc[]): Promise<NumberOutT[]> {
  const byId = await channelsOfNumbers(db, docs);
  return docs.map((d) => {
    const c = byId.get(String(d.channelId));
    return {
      id: String(d._id),
      number: d.number,
      // A number outlives its channel only through a concurrent delete; show it rather than fail the page.
      channel: { id: String(d.channelId), name: c?.name ?? '(deleted)', type: c?.type ?? 'twilio' },
      clientId: d.clientId ? String(d.clientId) : null,
      extensionId: d.extensionId ? String(d.extensionId) : null,
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.updatedAt.toISOString(),
    };
  });
}

export const presentNumber = async (db: Connection, doc: PhoneNumberDoc): Promise<NumberOutT> => (await presentNumbers(db, [doc]))[0]!;

const listQuery = pageQuery
  .extend({
    channelId: objectId.optional().meta({ description: 'only the numbers of this channel' }),
    extensionId: objectId.optional().meta({ description: 'only the numbers that ring back to this extension' }),
  })
  .strict();

const patchBody = z
  .object({
    clientId: objectId.nullable().meta({ description: 'operator only: assign to a client, or null for the unassigned pool' }),
    extensionId: objectId.nullable().meta({ description: "the extension of the number's client it rings back to, or null" }),
  })
  .partial()
  .strict();

export const numberRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/numbers',
    summary: 'List public numbers (a client key sees only its own)',
    tag: 'numbers',
    access: 'tenant',
    query: listQuery,
    responses: { 200: { description: 'a page of numbers', schema: page(NumberOut) }, ...standardErrors },
    handler: async ({ deps, query, principal }) => {
      const { channelId, extensionId, ...pageArgs } = query;
      const p = await listNumbers(deps.db, principal, { channelId, extensionId }, pageArgs);
      return { status: 200, body: { items: await presentNumbers(deps.db, p.items), nextCursor: p.nextCursor } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/numbers/:id',
    summary: 'Read a public number (a client key reads only its own)',
    tag: 'numbers',
    access: 'tenant',
    params: idParams,
    responses: { 200: { description: 'the number', schema: NumberOut }, ...standardErrors },
    handler: async ({ deps, params, principal }) => {
      return { status: 200, body: await presentNumber(deps.db, await loadNumber(deps.db, principal, params.id)) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/numbers/:id',
    summary: 'Assign a number: the operator sets its client (which clears "rings back to") and extension; a client key sets only the extension it rings back to',
    tag: 'numbers',
    access: 'tenant',
    params: idParams,
    body: patchBody,
    responses: {
      200: { description: 'the number', schema: NumberOut },
      409: { description: 'the number is a caller ID of its current client', schema: errorBody },
      ...standardErrors,
    },
    handler: async ({ deps, params, body, principal }) => {
      const id = idOrNotFound(params.id, 'number');
      const scope = tenantFilter(principal);
      if (principal.role === 'client' && body.clientId !== undefined) {
        // Look the number up first so another client's number stays a plain 404.
        await loadNumber(deps.db, principal, params.id);
        throw validationError('only the operator assigns numbers to clients', [{ path: 'clientId', message: 'only the operator may change it' }]);
      }
      const doc = await updateNumber(deps.db, id, body, scope);
      return { status: 200, body: await presentNumber(deps.db, doc) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/numbers/:id',
    summary: 'Delete a public number no extension uses as a caller ID',
    tag: 'numbers',
    access: 'admin',
    params: idParams,
    responses: { 204: { description: 'deleted' }, 409: { description: 'a caller ID of an extension', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params }) => {
      await deleteNumber(deps.db, idOrNotFound(params.id, 'number'));
      return { status: 204 };
    },
  }),
];
