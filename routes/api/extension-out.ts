import { z } from 'zod';
import type { ExtensionDoc } from '../../src/domain/extensions';
import { timestamp } from '../http/schemas';

/** An extension as the API shows it: the password only as passwordSet, never its hash or the resolved prompt URLs. */

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
        retry: z.object({ attempts: z.number().int(), delaySeconds: z.number().int(), ringTimeoutSeconds: z.number().int(), detectMachine: z.boolean() }).strict(),
        language: z.string(),
        defaultLanguage: z.string().nullable(),
        voice: z.string().nullable(),
        quietHours: z.object({ start: z.string(), end: z.string(), timeZone: z.string() }).strict().nullable(),
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
      quietHours: callback.quietHours ? { start: callback.quietHours.start, end: callback.quietHours.end, timeZone: callback.quietHours.timeZone } : null,
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
