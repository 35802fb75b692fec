import { Types, type Connection } from 'mongoose';
import { authorizedCallerModel, type AuthorizedCallerDoc } from '../../models/authorized-caller';
import { creditEntryModel } from '../../models/credit-entry';
import type { ExtensionDoc } from '../../models/extension';
import { isDuplicateKey } from '../db/duplicate-key';
import { conflict, notFound } from '../errors';
import { hashPin } from '../security/pin-hash';
import { changeCallerCredit } from './ledger';
import { paginate, type Page, type PageQuery } from './pagination';

export type { AuthorizedCallerDoc };

/**
 * Authorized caller IDs of a callback extension: the numbers allowed to use it, each with its own PIN
 * (hashed, never stored or shown in clear) and its own credit ("unlimited", or ten-thousandths left).
 * Every function takes the extension already loaded through tenant scoping and only ever touches
 * callers of that extension, so a caller id of another extension (or client) is simply not found.
 */

export interface AuthorizedCallerInput {
  number: string;
  password?: string | null | undefined;
  name?: string | null | undefined;
  enabled: boolean;
  /** `'unlimited'` or an amount in ten-thousandths (0 is allowed: limited, nothing left). */
  credit: number | 'unlimited';
}

export interface AuthorizedCallerPatch {
  number?: string | undefined;
  /** `null` clears the PIN; `undefined` keeps it. */
  password?: string | null | undefined;
  name?: string | null | undefined;
  enabled?: boolean | undefined;
}

/** Hard cap of the CSV export (and of any "all rows" read): beyond it, narrow the export with `q`. */
export const EXPORT_MAX_ROWS = 10_000;
/** Longest accepted `q`: a longer one cannot match a 32-character number and only costs regex time. */
export const SEARCH_MAX_LENGTH = 50;

function duplicateNumber(err: unknown): never {
  if (isDuplicateKey(err)) {
    throw conflict('this extension already has an authorized caller ID with this number', 'duplicate', [{ path: 'number', message: 'already authorized on this extension' }]);
  }
  throw err;
}

const scope = (ext: ExtensionDoc) => ({ extensionId: ext._id, clientId: ext.clientId });

/**
 * Creates a caller. A limited credit is written with the ledger's pending/applied protocol so the
 * caller never exists, even for a moment, as "unlimited" (which a create-then-charge would allow):
 *  1. the `initial` entry is written `pending` with the caller's pre-allocated id;
 *  2. the caller is inserted limited, with the amount, and the entry id in `pendingEntryIds` (one
 *     single-document insert: either both or neither);
 *  3. the entry is marked `applied` and its id pulled. A crash between the steps is finished by
 *     `repairPendingEntries`, exactly as for recharges; a refused insert (duplicate) refuses the entry.
 */
export async function createAuthorizedCaller(db: Connection, ext: ExtensionDoc, input: AuthorizedCallerInput, now: Date): Promise<AuthorizedCallerDoc> {
  const callers = authorizedCallerModel(db);
  const entries = creditEntryModel(db);
  const id = new Types.ObjectId();
  const pinHash = input.password ? await hashPin(input.password) : null;
  const limited = input.credit !== 'unlimited';
  const amount = input.credit === 'unlimited' ? 0 : input.credit;
  const entry = limited
    ? await entries.create({
        clientId: ext.clientId,
        authorizedCallerId: id,
        kind: 'initial',
        amount,
        note: 'initial credit',
        state: 'pending',
        createdAt: now,
      })
    : null;
  try {
    await callers.create({
      _id: id,
      ...scope(ext),
      number: input.number,
      name: input.name ?? null,
      pinHash,
      enabled: input.enabled,
      unlimited: !limited,
      initialCredit: amount,
      recharged: 0,
      available: amount,
      pendingEntryIds: entry ? [entry._id] : [],
    });
  } catch (err) {
    if (entry) await entries.updateOne({ _id: entry._id }, { $set: { state: 'refused' } });
    duplicateNumber(err);
  }
  if (entry) {
    await entries.updateOne({ _id: entry._id }, { $set: { state: 'applied', balanceAfter: amount } });
    await callers.updateOne({ _id: id }, { $pull: { pendingEntryIds: entry._id } });
  }
  return (await callers.findById(id).lean())!;
}

export async function loadAuthorizedCaller(db: Connection, ext: ExtensionDoc, callerId: Types.ObjectId): Promise<AuthorizedCallerDoc> {
  const caller = await authorizedCallerModel(db)
    .findOne({ _id: callerId, ...scope(ext) })
    .lean();
  if (!caller) throw notFound('authorized caller ID');
  return caller;
}

/** Number, name, PIN and enabled only: credit changes go through the ledger (`changeAuthorizedCallerCredit`). */
export async function updateAuthorizedCaller(db: Connection, ext: ExtensionDoc, callerId: Types.ObjectId, patch: AuthorizedCallerPatch): Promise<AuthorizedCallerDoc> {
  const set: Record<string, unknown> = {};
  if (patch.number !== undefined) set.number = patch.number;
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  if (patch.password !== undefined) set.pinHash = patch.password === null ? null : await hashPin(patch.password);
  const callers = authorizedCallerModel(db);
  const updated = Object.keys(set).length
    ? await callers
        .findOneAndUpdate({ _id: callerId, ...scope(ext) }, { $set: set }, { returnDocument: 'after' })
        .lean()
        .catch(duplicateNumber)
    : await callers.findOne({ _id: callerId, ...scope(ext) }).lean();
  if (!updated) throw notFound('authorized caller ID');
  return updated;
}

/** Removes the caller; its ledger entries stay, as the audit trail of money that was granted. */
export async function deleteAuthorizedCaller(db: Connection, ext: ExtensionDoc, callerId: Types.ObjectId): Promise<void> {
  const res = await authorizedCallerModel(db).deleteOne({ _id: callerId, ...scope(ext) });
  if (res.deletedCount === 0) throw notFound('authorized caller ID');
}

/**
 * A recharge (or a negative correction) through the ledger, after checking the caller belongs to the
 * extension. As in VoipNow an "unlimited" caller becomes limited: at the amount, or at 0 if negative.
 */
export async function changeAuthorizedCallerCredit(
  db: Connection,
  ext: ExtensionDoc,
  callerId: Types.ObjectId,
  change: { amount: number; note: string | null },
  now: Date,
): Promise<Types.ObjectId> {
  await loadAuthorizedCaller(db, ext, callerId);
  const { entryId } = await changeCallerCredit(db, { callerId, amount: change.amount, kind: 'recharge', note: change.note, now });
  return entryId;
}

/** Case-insensitive substring filter on number or name; `q` is matched literally (metacharacters escaped). */
export function searchFilter(q: string | undefined): Record<string, unknown> {
  if (!q) return {};
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const or: Record<string, unknown>[] = [{ number: { $regex: literal(q), $options: 'i' } }, { name: { $regex: literal(q), $options: 'i' } }];
  // Numbers are stored as E.164: a phone-looking q such as "+44 20 7183-8750" or "(207)" still finds them.
  if (/^[+\d\s\-().]+$/.test(q)) {
    const digits = q.replace(/[\s\-().]/g, '');
    if (digits && digits !== q) or.push({ number: { $regex: literal(digits) } });
  }
  return { $or: or };
}

export function listFilter(ext: ExtensionDoc, q: string | undefined): Record<string, unknown> {
  return { ...scope(ext), ...searchFilter(q) };
}

/** A page of the extension's callers matching `q` (number or name), newest first. */
export function listAuthorizedCallers(db: Connection, ext: ExtensionDoc, q: string | undefined, query: PageQuery): Promise<Page<AuthorizedCallerDoc>> {
  return paginate(authorizedCallerModel(db), listFilter(ext, q), query);
}

/** Every matching caller, newest first, up to `EXPORT_MAX_ROWS`; `truncated` when there were more. */
export async function exportAuthorizedCallers(db: Connection, ext: ExtensionDoc, q: string | undefined): Promise<{ rows: AuthorizedCallerDoc[]; truncated: boolean }> {
  const docs = await authorizedCallerModel(db)
    .find(listFilter(ext, q))
    .sort({ _id: -1 })
    .limit(EXPORT_MAX_ROWS + 1)
    .lean();
  return { rows: docs.slice(0, EXPORT_MAX_ROWS), truncated: docs.length > EXPORT_MAX_ROWS };
}

/**
 * RFC 4180 CSV: CRLF line ends; a field with a comma, quote, CR or LF is quoted, quotes doubled.
 * Free text (`formulaGuard`) that a spreadsheet would run as a formula (starting with = + - @, tab or
 * CR) gets a leading apostrophe. Validated columns (E.164 numbers, ids, money, dates) are left as is:
 * they cannot hold a formula, and an apostrophe would corrupt "+44..." for every program reading it.
 */
export function csvField(value: string, formulaGuard = false): string {
  const v = formulaGuard && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function toCsv(header: string[], rows: { value: string; guard?: boolean }[][]): string {
  const lines = [header.map((h) => csvField(h)).join(','), ...rows.map((r) => r.map((c) => csvField(c.value, c.guard)).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** The credit left of several caller IDs, by _id in one query (read fresh: it is money). */
export function availableCreditOf(db: Connection, ids: string[]): Promise<Pick<AuthorizedCallerDoc, '_id' | 'available'>[]> {
  return authorizedCallerModel(db)
    .find({ _id: { $in: [...new Set(ids)] } }, { available: 1 })
    .lean()
    .exec();
}

/** The callers of any of `extensionIds` with any of `numbers`: one query for a batch of incoming calls. */
export function findCallersByNumbers(
  db: Connection,
  extensionIds: string[],
  numbers: string[],
): Promise<Pick<AuthorizedCallerDoc, '_id' | 'extensionId' | 'number' | 'enabled' | 'unlimited'>[]> {
  return authorizedCallerModel(db)
    .find({ extensionId: { $in: extensionIds }, number: { $in: numbers } }, { extensionId: 1, number: 1, enabled: 1, unlimited: 1 })
    .lean()
    .exec();
}
