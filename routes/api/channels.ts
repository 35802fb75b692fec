import { z } from 'zod';
import { channelExists, createChannel, deleteChannel, listChannels, loadChannel, sipProblems, updateChannel, type ChannelDoc } from '../../src/domain/channels';
import { createNumber, listNumbers } from '../../src/domain/numbers';
import { idOrNotFound } from '../../src/domain/tenant';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { e164, errorBody, idParams, objectId, page, pageQuery, prefix, standardErrors, timestamp } from '../http/schemas';
import { notFound } from '../../src/errors';
import { NumberOut, presentNumber, presentNumbers } from './numbers';

const uniquePrefixes = (prefixes: string[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  prefixes.forEach((p, i) => {
    if (seen.has(p)) ctx.addIssue({ code: 'custom', path: [i], message: `prefix ${p} appears twice` });
    seen.add(p);
  });
};

const sipFields = {
  domain: z
    .hostname('must be a host name, e.g. "pbx.example.com"')
    .max(253)
    .transform((h) => h.toLowerCase())
    .meta({ description: 'SIP domain or host of the trunk', examples: ['pbx.example.com'] }),
  username: z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, 'must be 1 to 128 printable characters without spaces')
    .nullable()
    .meta({ description: 'SIP authentication user name' }),
  password: z
    .string()
    .min(1)
    .max(128)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (they are refused)
    .regex(/^[^\x00-\x1f\x7f]*$/, 'must not contain control characters')
    .nullable()
    .meta({ description: 'SIP authentication password: write-only, stored encrypted, shown as passwordSet' }),
  transport: z.enum(['udp', 'tcp', 'tls']).nullable(),
};

const channelFields = {
  name: z.string().trim().min(1).max(100),
  type: z.enum(['twilio', 'sip']),
  prefixes: z
    .array(prefix)
    .max(500)
    .superRefine(uniquePrefixes)
    .meta({ description: 'destinations this channel routes (longest match wins); an empty list makes it the fallback route' }),
};

const createBody = z
  .object({
    ...channelFields,
    sip: z
      .object({ domain: sipFields.domain, username: sipFields.username.optional(), password: sipFields.password.optional(), transport: sipFields.transport.optional() })
      .strict()
      .nullable()
      .optional()
      .meta({ description: 'required exactly when type is "sip"' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    for (const p of sipProblems(b.type, b.sip != null)) ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
  });

const patchBody = z
  .object({
    ...channelFields,
    sip: z
      .object(sipFields)
      .partial()
      .strict()
      .nullable()
      .meta({ description: 'merged into the current SIP settings: omitted fields (the password too) are kept, null clears one; sip: null removes them all' }),
  })
  .partial()
  .strict();

const channelOut = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(['twilio', 'sip']),
    prefixes: z.array(z.string()),
    sip: z
      .object({
        domain: z.string(),
        username: z.string().nullable(),
        passwordSet: z.boolean(),
        transport: z.enum(['udp', 'tcp', 'tls']).nullable(),
      })
      .strict()
      .nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .strict()
  .meta({ id: 'Channel' });

export function presentChannel(c: ChannelDoc): z.infer<typeof channelOut> {
  return {
    id: String(c._id),
    name: c.name,
    type: c.type,
    prefixes: c.prefixes ?? [],
    sip: c.sip ? { domain: c.sip.domain, username: c.sip.username ?? null, passwordSet: Boolean(c.sip.passwordEnc), transport: c.sip.transport ?? null } : null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

const numberBody = z
  .object({
    number: e164,
    clientId: objectId.nullable().meta({ description: 'the client the number is assigned to; null puts it in the unassigned pool' }),
    extensionId: objectId.nullable().optional().meta({ description: '"rings back to": an extension of that client' }),
  })
  .strict();

export const channelRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/channels',
    summary: 'Create a channel (the seed\'s "resource"): Twilio PSTN or a SIP trunk, with the destination prefixes it routes',
    tag: 'channels',
    access: 'admin',
    body: createBody,
    responses: { 201: { description: 'created', schema: channelOut }, 409: { description: 'name taken', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, body }) => ({ status: 201, body: presentChannel(await createChannel(deps.db, body, deps.secretBox)) }),
  }),
  defineRoute({
    method: 'get',
    path: '/channels',
    summary: 'List channels',
    tag: 'channels',
    access: 'admin',
    query: pageQuery,
    responses: { 200: { description: 'a page of channels', schema: page(channelOut) }, ...standardErrors },
    handler: async ({ deps, query }) => {
      const p = await listChannels(deps.db, query);
      return { status: 200, body: { items: p.items.map(presentChannel), nextCursor: p.nextCursor } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/channels/:id',
    summary: 'Read a channel',
    tag: 'channels',
    access: 'admin',
    params: idParams,
    responses: { 200: { description: 'the channel', schema: channelOut }, ...standardErrors },
    handler: async ({ deps, params }) => ({ status: 200, body: presentChannel(await loadChannel(deps.db, idOrNotFound(params.id, 'channel'))) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/channels/:id',
    summary: 'Change a channel (prefixes are replaced as a whole; SIP settings are merged, the password kept unless sent)',
    tag: 'channels',
    access: 'admin',
    params: idParams,
    body: patchBody,
    responses: { 200: { description: 'the channel', schema: channelOut }, 409: { description: 'name taken', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params, body }) => ({
      status: 200,
      body: presentChannel(await updateChannel(deps.db, idOrNotFound(params.id, 'channel'), body, deps.secretBox)),
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/channels/:id',
    summary: 'Delete a channel and its unassigned numbers; refused while a number is a caller ID, rings back to an extension or is assigned to a client',
    tag: 'channels',
    access: 'admin',
    params: idParams,
    responses: { 204: { description: 'deleted' }, 409: { description: 'a number of the channel is still in use', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params }) => {
      await deleteChannel(deps.db, idOrNotFound(params.id, 'channel'));
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/channels/:id/numbers',
    summary: 'Add a public number to a channel, assigned to a client (or the unassigned pool) and optionally ringing back to an extension',
    tag: 'numbers',
    access: 'admin',
    params: idParams,
    body: numberBody,
    responses: { 201: { description: 'created', schema: NumberOut }, 409: { description: 'number already defined', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params, body }) => {
      const doc = await createNumber(deps.db, idOrNotFound(params.id, 'channel'), body);
      return { status: 201, body: await presentNumber(deps.db, doc) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/channels/:id/numbers',
    summary: "List a channel's public numbers (a client key sees only its own)",
    tag: 'numbers',
    access: 'tenant',
    params: idParams,
    query: pageQuery,
    responses: { 200: { description: 'a page of numbers', schema: page(NumberOut) }, ...standardErrors },
    handler: async ({ deps, params, query, principal }) => {
      const channelId = idOrNotFound(params.id, 'channel');
      // A client key gets its own numbers (possibly none) and learns nothing about which channels exist.
      if (principal.role === 'admin' && !(await channelExists(deps.db, channelId))) throw notFound('channel');
      const p = await listNumbers(deps.db, principal, { channelId }, query);
      return { status: 200, body: { items: await presentNumbers(deps.db, p.items), nextCursor: p.nextCursor } };
    },
  }),
];
