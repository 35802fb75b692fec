import type { Connection } from 'mongoose';
import { z } from 'zod';
import { extensionModel, type ExtensionDoc } from '../../models/extension';
import { paginate } from '../../src/domain/pagination';
import { defineRoute, type Principal, type RouteSpec } from '../http/route-spec';
import { e164, errorBody, idParams, objectId, page, pageQuery, standardErrors, timestamp } from '../http/schemas';
import { assertOwnClient, idOrNotFound, tenantFilter } from '../../src/domain/tenant';
import { createExtension, deleteExtension, extensionWarnings, updateExtension, type ExtensionSettings } from '../../src/domain/extensions';
import { notFound, validationError } from '../../src/errors';
import { PROMPT_KEYS } from '../../src/callflow/i18n/prompt-keys';
import { LANGUAGES } from '../../src/callflow/i18n/languages';

// Twilio waits at most 15 s for a webhook answer; the held ring must stay well under it.
const TRIGGER_MAX = 12;
const VOICE = /^(man|woman|Polly\.[A-Za-z]+)$/;

const modeValue = (valueSchema: z.ZodType<string>) =>
  z.object({ mode: z.enum(['server', 'equipment', 'user']), value: valueSchema.nullable().optional() }).strict();

const nameValue = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9 ]{0,31}$/, 'must be 1 to 32 letters, digits or spaces');
const numberValue = z.string().trim().regex(/^\+?\d{3,20}$/, 'must be at least 3 digits, optionally with a leading +');
const sound = z
  .string()
  .refine((v) => /^[0-9a-f]{24}$/.test(v) || /^https:\/\/[^\s]+$/.test(v), 'must be a sound id or an https URL');

const callbackFields = {
  triggerAfterSeconds: z
    .number()
    .int()
    .min(0)
    .max(TRIGGER_MAX, `must be at most ${TRIGGER_MAX}: Twilio waits at most 15 s for a webhook answer, so longer rings would fail`),
  returnCalls: z.enum(['authorized', 'caller', 'fixed']),
  fixedNumber: e164.nullable(),
  disconnectSound: sound.nullable(),
  dialWindowSeconds: z.number().int().min(3).max(120),
  password: z.string().regex(/^\d{4,12}$/, 'must be 4 to 12 digits').nullable(),
  requireCallerPassword: z.boolean(),
  allowCreditQuery: z.boolean(),
  chargeCallbackLeg: z.boolean().meta({ description: 'false: the callback leg is free for the client (the operator absorbs it)' }),
  retry: z
    .object({
      attempts: z.number().int().min(1).max(5),
      delaySeconds: z.number().int().min(5).max(3600),
      ringTimeoutSeconds: z.number().int().min(5).max(600),
      detectMachine: z.boolean(),
    })
    .strict(),
  language: z
    .enum([...LANGUAGES, 'auto'], { error: `no prompt catalog for this language; available: ${LANGUAGES.join(', ')}, or "auto" (by the caller's country)` })
    .meta({ description: 'the prompt catalog and <Say language>; "auto" picks it from the country of the number called back (see README)' }),
  defaultLanguage: z
    .enum(LANGUAGES, { error: `must be one of ${LANGUAGES.join(', ')}` })
    .nullable()
    .meta({ description: 'with language "auto": the language for countries the table does not list' }),
  voice: z
    .string()
    .regex(VOICE, 'must be man, woman or Polly.<Name>')
    .nullable()
    .meta({ description: 'a Twilio voice for the language (see README), or null for Twilio\'s default; null with "auto"' }),
  prompts: z
    // A record keyed by the prompt keys rather than an object of 23 optional fields: the same check
    // (unknown keys are "unknown field"), a smaller document for generators such as schemathesis.
    .partialRecord(z.enum(PROMPT_KEYS as [string, ...string[]]), sound)
    .meta({ description: 'recorded prompts: prompt key (GET /api/prompts) -> sound id or https URL, played instead of the sentence; replaces the whole map' }),
};

const callerIdFields = {
  name: modeValue(nameValue),
  number: modeValue(numberValue),
  numbers: z.array(e164).max(100),
  defaultNumber: e164.nullable(),
  hide: z.boolean(),
  sendIdentityHeaders: z.boolean(),
};

const retryDefaults = { attempts: 2, delaySeconds: 30, ringTimeoutSeconds: 30, detectMachine: true };

const createCallback = z
  .object({
    triggerAfterSeconds: callbackFields.triggerAfterSeconds.default(5),
    returnCalls: callbackFields.returnCalls,
    fixedNumber: callbackFields.fixedNumber.default(null),
    disconnectSound: callbackFields.disconnectSound.default(null),
    dialWindowSeconds: callbackFields.dialWindowSeconds.default(15),
    password: callbackFields.password.optional(),
    requireCallerPassword: callbackFields.requireCallerPassword.default(false),
    allowCreditQuery: callbackFields.allowCreditQuery.default(false),
    chargeCallbackLeg: callbackFields.chargeCallbackLeg.default(true),
    retry: z
      .object({
        attempts: callbackFields.retry.shape.attempts.default(2),
        delaySeconds: callbackFields.retry.shape.delaySeconds.default(30),
        ringTimeoutSeconds: callbackFields.retry.shape.ringTimeoutSeconds.default(30),
        detectMachine: callbackFields.retry.shape.detectMachine.default(true),
      })
      .strict()
      .default(retryDefaults),
    language: callbackFields.language.default('en-US'),
    defaultLanguage: callbackFields.defaultLanguage.default(null),
    voice: callbackFields.voice.default(null),
    prompts: callbackFields.prompts.default({}),
  })
  .strict();

const createCallerId = z
  .object({
    name: callerIdFields.name.default({ mode: 'server' }),
    number: callerIdFields.number.default({ mode: 'server' }),
    numbers: callerIdFields.numbers.default([]),
    defaultNumber: callerIdFields.defaultNumber.default(null),
    hide: callerIdFields.hide.default(false),
    sendIdentityHeaders: callerIdFields.sendIdentityHeaders.default(false),
  })
  .strict();

const extensionNumber = z.string().regex(/^[0-9*#]{1,20}$/, 'must be 1 to 20 digits, * or #');
const contactName = z.string().trim().min(1).max(100);

const createBody = z
  .object({
    clientId: objectId.optional().meta({ description: 'required for the operator; a client key creates for its own client' }),
    extensionNumber,
    name: contactName,
    callback: createCallback,
    callerId: createCallerId.prefault({}),
  })
  .strict();

const patchBody = z
  .object({
    extensionNumber: extensionNumber.optional(),
    name: contactName.optional(),
    callback: z
      .object({ ...callbackFields, retry: callbackFields.retry.partial().strict() })
      .partial()
      .strict()
      .optional(),
    callerId: z.object(callerIdFields).partial().strict().optional(),
  })
  .strict();

const modeValueOut = z.object({ mode: z.enum(['server', 'equipment', 'user']), value: z.string().nullable() }).strict();
export const extensionOut = z
  .object({
    id: z.string(),
    clientId: z.string(),
    extensionNumber: z.string(),
    name: z.string(),
    publicNumbers: z.array(z.string()).optional(),
    callback: z
      .object({
        triggerAfterSeconds: z.number().int(),
        returnCalls: z.enum(['authorized', 'caller', 'fixed']),
        fixedNumber: z.string().nullable(),
        disconnectSound: z.string().nullable(),
        dialWindowSeconds: z.number().int(),
        passwordSet: z.boolean(),
        requireCallerPassword: z.boolean(),
        allowCreditQuery: z.boolean(),
        chargeCallbackLeg: z.boolean(),
        retry: z
          .object({ attempts: z.number().int(), delaySeconds: z.number().int(), ringTimeoutSeconds: z.number().int(), detectMachine: z.boolean() })
          .strict(),
        language: z.string(),
        defaultLanguage: z.string().nullable(),
        voice: z.string().nullable(),
        prompts: z.record(z.string(), z.string()),
      })
      .strict(),
    callerId: z
      .object({
        name: modeValueOut,
        number: modeValueOut,
        numbers: z.array(z.string()),
        defaultNumber: z.string().nullable(),
        hide: z.boolean(),
        sendIdentityHeaders: z.boolean(),
      })
      .strict(),
    warnings: z.array(z.string()).optional().meta({ description: 'settings that are valid but will not do what you may expect' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .strict()
  .meta({ id: 'Extension' });

type ExtensionOut = z.infer<typeof extensionOut>;

export function presentExtension(e: ExtensionDoc, warnings?: string[]): ExtensionOut {
  const { passwordHash, ...callback } = e.callback;
  const out: ExtensionOut = {
    id: String(e._id),
    clientId: String(e.clientId),
    extensionNumber: e.extensionNumber,
    name: e.name,
    callback: {
      triggerAfterSeconds: callback.triggerAfterSeconds,
      returnCalls: callback.returnCalls,
      fixedNumber: callback.fixedNumber ?? null,
      disconnectSound: callback.disconnectSound ?? null,
      dialWindowSeconds: callback.dialWindowSeconds,
      passwordSet: Boolean(passwordHash),
      requireCallerPassword: callback.requireCallerPassword,
      allowCreditQuery: callback.allowCreditQuery,
      chargeCallbackLeg: callback.chargeCallbackLeg ?? true,
      retry: { ...callback.retry },
      language: callback.language,
      defaultLanguage: callback.defaultLanguage ?? null,
      voice: callback.voice ?? null,
      prompts: Object.fromEntries(Object.entries(callback.prompts ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string')),
    },
    callerId: {
      name: { mode: e.callerId.name.mode, value: e.callerId.name.value ?? null },
      number: { mode: e.callerId.number.mode, value: e.callerId.number.value ?? null },
      numbers: [...e.callerId.numbers],
      defaultNumber: e.callerId.defaultNumber ?? null,
      hide: e.callerId.hide,
      sendIdentityHeaders: e.callerId.sendIdentityHeaders,
    },
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
  if (warnings) out.warnings = warnings;
  return out;
}

/** The stored settings in the domain's input shape, for merging a change onto. */
export function settingsOf(e: ExtensionDoc): ExtensionSettings {
  const { passwordHash: _hash, promptPlay: _play, ...callback } = e.callback;
  return {
    extensionNumber: e.extensionNumber,
    name: e.name,
    callback: {
      ...callback,
      chargeCallbackLeg: callback.chargeCallbackLeg ?? true,
      defaultLanguage: callback.defaultLanguage ?? null,
      prompts: { ...callback.prompts },
      retry: { ...callback.retry },
    },
    callerId: {
      ...e.callerId,
      name: { mode: e.callerId.name.mode, value: e.callerId.name.value ?? null },
      number: { mode: e.callerId.number.mode, value: e.callerId.number.value ?? null },
    },
  };
}

export async function loadExtension(db: Connection, principal: Principal, id: string): Promise<ExtensionDoc> {
  const e = await extensionModel(db)
    .findOne({ _id: idOrNotFound(id, 'extension'), ...tenantFilter(principal) })
    .lean();
  if (!e) throw notFound('extension');
  return e;
}

const listQuery = pageQuery.extend({ clientId: objectId.optional() }).strict();

export const extensionRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/extensions',
    summary: 'Create a callback extension with every option of the callback setup page',
    tag: 'extensions',
    access: 'tenant',
    body: createBody,
    responses: { 201: { description: 'created (with warnings)', schema: extensionOut }, 409: { description: 'extension number taken', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, body, principal }) => {
      const clientId = body.clientId ?? (principal.role === 'client' ? principal.clientId : undefined);
      if (!clientId) throw validationError('clientId is required', [{ path: 'clientId', message: 'required for the operator' }]);
      assertOwnClient(principal, clientId);
      const { clientId: _c, ...settings } = body;
      const ext = await createExtension(deps.db, clientId, {
        ...settings,
        callerId: {
          ...settings.callerId,
          name: { mode: settings.callerId.name.mode, value: settings.callerId.name.value ?? null },
          number: { mode: settings.callerId.number.mode, value: settings.callerId.number.value ?? null },
        },
      }, { byClient: principal.role === 'client' });
      return { status: 201, body: presentExtension(ext, await extensionWarnings(deps.db, ext)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/extensions',
    summary: 'List callback extensions (a client key: its own)',
    tag: 'extensions',
    access: 'tenant',
    query: listQuery,
    responses: { 200: { description: 'a page', schema: page(extensionOut) }, ...standardErrors },
    handler: async ({ deps, query, principal }) => {
      const { clientId, ...pq } = query;
      const filter = { ...(clientId ? { clientId: idOrNotFound(clientId, 'client') } : {}), ...tenantFilter(principal) };
      const p = await paginate(extensionModel(deps.db), filter, pq);
      return { status: 200, body: { items: p.items.map((e) => presentExtension(e)), nextCursor: p.nextCursor } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/extensions/:id',
    summary: 'Read a callback extension, with configuration warnings',
    tag: 'extensions',
    access: 'tenant',
    params: idParams,
    responses: { 200: { description: 'the extension', schema: extensionOut }, ...standardErrors },
    handler: async ({ deps, params, principal }) => {
      const ext = await loadExtension(deps.db, principal, params.id);
      return { status: 200, body: presentExtension(ext, await extensionWarnings(deps.db, ext)) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/extensions/:id',
    summary: 'Change a callback extension (nested objects merge; password null clears it)',
    tag: 'extensions',
    access: 'tenant',
    params: idParams,
    body: patchBody,
    responses: { 200: { description: 'the extension', schema: extensionOut }, 409: { description: 'extension number taken', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params, body, principal }) => {
      const current = await loadExtension(deps.db, principal, params.id);
      const base = settingsOf(current);
      const merged: ExtensionSettings = {
        extensionNumber: body.extensionNumber ?? base.extensionNumber,
        name: body.name ?? base.name,
        callback: { ...base.callback, ...body.callback, retry: { ...base.callback.retry, ...body.callback?.retry } },
        callerId: {
          ...base.callerId,
          ...body.callerId,
          name: body.callerId?.name ? { mode: body.callerId.name.mode, value: body.callerId.name.value ?? null } : base.callerId.name,
          number: body.callerId?.number ? { mode: body.callerId.number.mode, value: body.callerId.number.value ?? null } : base.callerId.number,
        },
      };
      if (body.callback?.password === undefined) delete merged.callback.password;
      const ext = await updateExtension(deps.db, current, merged, principal.role === 'client');
      return { status: 200, body: presentExtension(ext, await extensionWarnings(deps.db, ext)) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/extensions/:id',
    summary: 'Delete a callback extension and its authorized caller IDs; its numbers stop ringing back to it',
    tag: 'extensions',
    access: 'tenant',
    params: idParams,
    responses: { 204: { description: 'deleted' }, ...standardErrors },
    handler: async ({ deps, params, principal }) => {
      await deleteExtension(deps.db, await loadExtension(deps.db, principal, params.id));
      return { status: 204 };
    },
  }),
];
