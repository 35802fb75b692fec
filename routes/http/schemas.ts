import { z } from 'zod';
import { minorUnits } from '../../src/currencies';
import { formatMoney, MAX_MONEY_TEXT, moneyTextProblem, parseMoney } from '../../src/money';
import { toE164 } from '../../src/phone';

/** Building blocks shared by every configuration API schema. */

export const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'must be an id');
export const idParams = z.object({ id: z.string() }).strict();

/** Every money field is bounded to what stays exact in ten-thousandths (src/money.ts). */
export const MONEY_BOUND_MESSAGE = `must be at most ${MAX_MONEY_TEXT} (and at least -${MAX_MONEY_TEXT})`;
export const moneyWithinBound = (t: string) => moneyTextProblem(t) !== 'too-large';

/**
 * "10.00" or "-2.50" in, integer ten-thousandths out. The checks are refinements (which zod runs even
 * when sibling fields fail) so one response names every bad field; the transform only converts.
 */
export const moneyText = (opts: { allowNegative?: boolean; allowZero?: boolean } = {}) =>
  z
    .string()
    .meta({ description: 'decimal amount with up to 4 decimals, e.g. "10.00" or "0.0125"', examples: ['10.00'] })
    .refine((t) => moneyTextProblem(t) !== 'not-money', 'must be a decimal amount like "10.00" (at most 4 decimals)')
    .refine(moneyWithinBound, MONEY_BOUND_MESSAGE)
    .refine((t) => opts.allowNegative || (parseMoney(t) ?? 0) >= 0, 'must not be negative')
    .refine((t) => opts.allowZero !== false || parseMoney(t) !== 0, 'must not be zero')
    .transform((t) => parseMoney(t)!);

export const moneyOut = z.string().meta({ description: 'decimal amount, e.g. "9.70"' });
export const money = (n: number) => formatMoney(n);

/** Any phone number a library can validate, normalized to E.164. */
export const e164 = z
  .string()
  .max(32)
  .meta({ description: 'phone number in E.164 (+ and country code)', examples: ['+442071838750'] })
  .refine((t) => toE164(t) !== undefined, 'must be a valid phone number in international format, e.g. +442071838750')
  .transform((t) => toE164(t)!);

/** Dialing prefixes: "+44", "+1" (a + and 1-15 digits). */
export const prefix = z.string().regex(/^\+\d{1,15}$/, 'must be "+" followed by 1 to 15 digits');

/** Every ISO 4217 currency (src/currencies.ts, with minor units); amounts are still ten-thousandths of the major unit. */
export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code in capitals, e.g. EUR')
  .refine((c) => minorUnits(c) !== undefined, 'not an ISO 4217 currency code')
  .meta({ description: 'ISO 4217 code (every current one, fund codes included; see src/currencies.ts)', examples: ['EUR'] });

export const timestamp = z.string().meta({ format: 'date-time' });

export const MAX_PAGE = 200;
export const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
    cursor: objectId.optional(),
  })
  .strict();

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() }).strict();

export const errorBody = z
  .object({
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        fields: z.array(z.object({ path: z.string(), message: z.string() }).strict()).optional(),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'Error' });

/** The error answers every authenticated route can give. */
export const standardErrors = {
  400: { description: 'invalid input', schema: errorBody },
  401: { description: 'missing or unknown API key', schema: errorBody },
  404: { description: "not found (or another client's)", schema: errorBody },
};
