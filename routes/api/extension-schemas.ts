import { z } from 'zod';
import { LANGUAGES } from '../../src/callflow/i18n/languages';
import { PROMPT_KEYS } from '../../src/callflow/i18n/prompt-keys';
import { isTimeZone, minutesOf } from '../../src/callflow/quiet-hours';
import { e164, objectId } from '../http/schemas';

/** The request bodies of /extensions: every option of the spec's callback setup page and its caller ID management. */

// Twilio waits at most 15 s for a webhook answer; the held ring must stay well under it.
const TRIGGER_MAX = 12;
const VOICE = /^(man|woman|Polly\.[A-Za-z]+)$/;

const modeValue = (valueSchema: z.ZodType<string>) => z.object({ mode: z.enum(['server', 'equipment', 'user']), value: valueSchema.nullable().optional() }).strict();

const nameValue = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ]{0,31}$/, 'must be 1 to 32 letters, digits or spaces');
const numberValue = z
  .string()
  .trim()
  .regex(/^\+?\d{3,20}$/, 'must be at least 3 digits, optionally with a leading +');
const sound = z.string().refine((v) => /^[0-9a-f]{24}$/.test(v) || /^https:\/\/[^\s]+$/.test(v), 'must be a sound id or an https URL');

const clockTime = z.string().refine((v) => minutesOf(v) !== null, 'must be a 24-hour time HH:MM, e.g. "22:00"');
const quietHours = z
  .object({
    start: clockTime,
    end: clockTime,
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. "Europe/Berlin"'),
  })
  .strict()
  .refine((q) => q.start !== q.end, { path: ['end'], message: 'must differ from start (an empty window)' })
  .meta({ description: 'requested and scheduled callbacks inside these local hours wait until they end; start after end spans midnight' });

const callbackFields = {
  triggerAfterSeconds: z.number().int().min(0).max(TRIGGER_MAX, `must be at most ${TRIGGER_MAX}: Twilio waits at most 15 s for a webhook answer, so longer rings would fail`),
  returnCalls: z.enum(['authorized', 'caller', 'fixed']),
  fixedNumber: e164.nullable(),
  disconnectSound: sound.nullable(),
  dialWindowSeconds: z.number().int().min(3).max(120),
  password: z
    .string()
    .regex(/^\d{4,12}$/, 'must be 4 to 12 digits')
    .nullable(),
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
  quietHours: quietHours.nullable(),
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
    quietHours: callbackFields.quietHours.default(null),
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

export const createExtensionBody = z
  .object({
    clientId: objectId.optional().meta({ description: 'required for the operator; a client key creates for its own client' }),
    extensionNumber,
    name: contactName,
    callback: createCallback,
    callerId: createCallerId.prefault({}),
  })
  .strict();

export const patchExtensionBody = z
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
