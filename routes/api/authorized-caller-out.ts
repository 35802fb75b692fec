import { z } from 'zod';
import type { AuthorizedCallerDoc } from '../../src/domain/authorized-callers';
import { money, timestamp } from '../http/schemas';
import { creditEntryOut } from './clients';

/** An authorized caller ID as the API shows it (JSON and CSV): the PIN only as pinSet, never its hash. */

const creditValue = z.string().meta({ description: '"unlimited" or a decimal amount, e.g. "3.20"' });

export const authorizedCallerOut = z
  .object({
    id: z.string(),
    extensionId: z.string(),
    number: z.string(),
    name: z.string().nullable(),
    enabled: z.boolean(),
    pinSet: z.boolean(),
    credit: z.enum(['unlimited', 'limited']),
    totalCredit: creditValue.meta({ description: 'initial credit plus recharges, or "unlimited"' }),
    availableCredit: creditValue,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .strict()
  .meta({ id: 'AuthorizedCaller' });

type AuthorizedCallerOut = z.infer<typeof authorizedCallerOut>;

export function creditView(c: AuthorizedCallerDoc): Pick<AuthorizedCallerOut, 'credit' | 'totalCredit' | 'availableCredit'> {
  return c.unlimited
    ? { credit: 'unlimited', totalCredit: 'unlimited', availableCredit: 'unlimited' }
    : { credit: 'limited', totalCredit: money(c.initialCredit + c.recharged), availableCredit: money(c.available) };
}

export function presentAuthorizedCaller(c: AuthorizedCallerDoc): AuthorizedCallerOut {
  return {
    id: String(c._id),
    extensionId: String(c.extensionId),
    number: c.number,
    name: c.name ?? null,
    enabled: c.enabled,
    pinSet: Boolean(c.pinHash),
    ...creditView(c),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export const CSV_HEADER = ['id', 'extensionId', 'number', 'name', 'enabled', 'pinSet', 'credit', 'totalCredit', 'availableCredit', 'createdAt', 'updatedAt'];

export function csvRow(c: AuthorizedCallerDoc) {
  const o = presentAuthorizedCaller(c);
  return [
    { value: o.id },
    { value: o.extensionId },
    { value: o.number },
    // The only free text: guarded against spreadsheet formulas (see csvField).
    { value: o.name ?? '', guard: true },
    { value: String(o.enabled) },
    { value: String(o.pinSet) },
    { value: o.credit },
    { value: o.totalCredit },
    { value: o.availableCredit },
    { value: o.createdAt },
    { value: o.updatedAt },
  ];
}

export const creditOut = z
  .object({
    availableCredit: creditValue,
    totalCredit: creditValue,
    credit: z.enum(['unlimited', 'limited']),
    currency: z.string(),
    entries: z.array(creditEntryOut),
    nextCursor: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'AuthorizedCallerCredit' });
