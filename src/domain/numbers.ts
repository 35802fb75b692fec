import { Types, type Connection } from 'mongoose';
import { channelModel } from '../../models/channel';
import { clientModel } from '../../models/client';
import { extensionModel, type ExtensionDoc } from '../../models/extension';
import { phoneNumberModel, type PhoneNumberDoc } from '../../models/phone-number';
import { conflict, notFound, validationError } from '../errors';
import { isDuplicateKey } from '../db/duplicate-key';
import { numbersUsedAsCallerId } from './channels';
import { scopedOrNotFound } from './lookup';
import { paginate, type Page, type PageQuery } from './pagination';
import { idOrNotFound, tenantFilter, type Principal } from './tenant';

export type { PhoneNumberDoc };

export interface NumberInput {
  /** Already E.164 (the request schema normalizes). */
  number: string;
  clientId: string | null;
  extensionId?: string | null | undefined;
}

export interface NumberPatch {
  clientId?: string | null | undefined;
  extensionId?: string | null | undefined;
}

function duplicateNumber(err: unknown): never {
  if (isDuplicateKey(err)) {
    throw conflict('this number is already defined on a channel', 'duplicate', [{ path: 'number', message: 'already used' }]);
  }
  throw err;
}

async function checkClient(db: Connection, clientId: string): Promise<Types.ObjectId> {
  const id = new Types.ObjectId(clientId);
  if (!(await clientModel(db).exists({ _id: id }))) throw validationError('no such client', [{ path: 'clientId', message: 'no client with this id' }]);
  return id;
}

/** "Rings back to" names an extension of the number's own client, never another client's. */
async function checkExtension(db: Connection, extensionId: string, clientId: Types.ObjectId | null): Promise<Types.ObjectId> {
  if (!clientId) {
    throw validationError('a number in the unassigned pool cannot ring back to an extension', [{ path: 'extensionId', message: 'assign the number to a client first' }]);
  }
  const id = new Types.ObjectId(extensionId);
  if (!(await extensionModel(db).exists({ _id: id, clientId }))) {
    throw validationError('no such extension for this client', [{ path: 'extensionId', message: "no extension with this id belongs to the number's client" }]);
  }
  return id;
}

export async function createNumber(db: Connection, channelId: Types.ObjectId, input: NumberInput): Promise<PhoneNumberDoc> {
  if (!(await channelModel(db).exists({ _id: channelId }))) throw notFound('channel');
  const clientId = input.clientId === null ? null : await checkClient(db, input.clientId);
  const extensionId = input.extensionId ? await checkExtension(db, input.extensionId, clientId) : null;
  const doc = await phoneNumberModel(db).create({ number: input.number, channelId, clientId, extensionId }).catch(duplicateNumber);
  return doc.toObject();
}

/**
 * Assigning a number to another client (or back to the pool) clears its "rings back to" unless the
 * same request names an extension of the new client, and is refused while an extension of the old
 * client presents the number as a caller ID. `scope` is the tenant filter of the caller.
 */
export async function updateNumber(db: Connection, id: Types.ObjectId, patch: NumberPatch, scope: { clientId?: Types.ObjectId }): Promise<PhoneNumberDoc> {
  const numbers = phoneNumberModel(db);
  const current = await numbers.findOne({ _id: id, ...scope }).lean();
  if (!current) throw notFound('number');

  const set: { clientId?: Types.ObjectId | null; extensionId?: Types.ObjectId | null } = {};
  let clientId = current.clientId;
  if (patch.clientId !== undefined) {
    const next = patch.clientId === null ? null : await checkClient(db, patch.clientId);
    if (String(next) !== String(current.clientId)) {
      if (current.clientId) {
        const used = await numbersUsedAsCallerId(db, [current.number], current.clientId);
        if (used.length) {
          throw conflict(`${current.number} is a caller ID of an extension of its current client; remove it there first`, 'in_use', [
            { path: 'clientId', message: 'the number is in use as a caller ID' },
          ]);
        }
      }
      clientId = next;
      set.clientId = next;
      set.extensionId = null;
    }
  }
  if (patch.extensionId !== undefined) {
    set.extensionId = patch.extensionId === null ? null : await checkExtension(db, patch.extensionId, clientId);
  }
  if (!Object.keys(set).length) return current;
  // Conditional on the client read above, so a concurrent reassignment cannot be overwritten silently.
  const updated = await numbers.findOneAndUpdate({ _id: id, clientId: current.clientId }, { $set: set }, { returnDocument: 'after' }).lean();
  if (!updated) throw conflict('the number changed while this request ran; retry', 'conflict');
  return updated;
}

/** A number an extension presents as a caller ID (or default) stays until the extension lets it go. */
export async function deleteNumber(db: Connection, id: Types.ObjectId): Promise<void> {
  const current = await phoneNumberModel(db).findById(id).lean();
  if (!current) throw notFound('number');
  const used = await numbersUsedAsCallerId(db, [current.number]);
  if (used.length) throw conflict(`${current.number} is a caller ID of an extension; remove it there first`, 'in_use');
  await phoneNumberModel(db).deleteOne({ _id: id });
}

/**
 * One row of the seed's "Currently Using CallerID Numbers" table: a public number of the extension's
 * client, the extension it rings back to, its channel, and the Default column: "yes" (the default, even
 * when not associated: the seed allows it), "set-as-default" (associated, not the default), "-".
 */
export interface CallerIdRow {
  number: string;
  assigned: boolean;
  ringsBackTo: { id: string; extensionNumber: string } | null;
  channel: { id: string; name: string };
  default: 'yes' | 'set-as-default' | '-';
}

/** A page of the extension's caller ID table (the client's numbers, newest first). */
export async function callerIdTable(db: Connection, ext: ExtensionDoc, query: PageQuery): Promise<Page<CallerIdRow>> {
  const { items: numbers, nextCursor } = await paginate(phoneNumberModel(db), { clientId: ext.clientId }, query);
  const channelIds = [...new Set(numbers.map((n) => String(n.channelId)))].map((id) => new Types.ObjectId(id));
  const extIds = [...new Set(numbers.filter((n) => n.extensionId).map((n) => String(n.extensionId)))].map((id) => new Types.ObjectId(id));
  const [channels, exts] = await Promise.all([
    channelModel(db)
      .find({ _id: { $in: channelIds } }, { name: 1 })
      .lean(),
    extensionModel(db)
      .find({ _id: { $in: extIds } }, { extensionNumber: 1 })
      .lean(),
  ]);
  const channelName = new Map(channels.map((c) => [String(c._id), c.name]));
  const extNumber = new Map(exts.map((e) => [String(e._id), e.extensionNumber]));
  const assigned = new Set(ext.callerId.numbers);
  const items = numbers.map(
    (n): CallerIdRow => ({
      number: n.number,
      assigned: assigned.has(n.number),
      ringsBackTo: n.extensionId ? { id: String(n.extensionId), extensionNumber: extNumber.get(String(n.extensionId)) ?? '?' } : null,
      channel: { id: String(n.channelId), name: channelName.get(String(n.channelId)) ?? '?' },
      default: n.number === ext.callerId.defaultNumber ? 'yes' : assigned.has(n.number) ? 'set-as-default' : '-',
    }),
  );
  return { items, nextCursor };
}

/** The principal's numbers (a client: its own), optionally of one channel or ringing back to one extension. */
export function listNumbers(
  db: Connection,
  principal: Principal,
  only: { channelId?: string | Types.ObjectId | undefined; extensionId?: string | undefined },
  query: PageQuery,
): Promise<Page<PhoneNumberDoc>> {
  const filter = {
    ...tenantFilter(principal),
    ...(only.channelId instanceof Types.ObjectId ? { channelId: only.channelId } : {}),
    ...(typeof only.channelId === 'string' ? { channelId: idOrNotFound(only.channelId, 'channel') } : {}),
    ...(only.extensionId ? { extensionId: idOrNotFound(only.extensionId, 'extension') } : {}),
  };
  return paginate(phoneNumberModel(db), filter, query);
}

/** A number as the principal may see it: another client's (or a malformed id) is not found. */
export async function loadNumber(db: Connection, principal: Principal, id: string): Promise<PhoneNumberDoc> {
  return scopedOrNotFound(phoneNumberModel(db), principal, id, 'number');
}

export type NumberChannel = { name: string; type: 'twilio' | 'sip' };

/** The channels of a page of numbers, in one query, by channel id. */
export async function channelsOfNumbers(db: Connection, docs: PhoneNumberDoc[]): Promise<Map<string, NumberChannel>> {
  const ids = [...new Set(docs.map((d) => String(d.channelId)))];
  const channels = ids.length
    ? await channelModel(db)
        .find({ _id: { $in: ids } })
        .select({ name: 1, type: 1 })
        .lean()
    : [];
  return new Map(channels.map((c) => [String(c._id), { name: c.name, type: c.type }]));
}

/** The number as dialed (E.164), or null: the incoming webhook's route starts here. */
export function findNumberByE164(db: Connection, number: string): Promise<PhoneNumberDoc | null> {
  return phoneNumberModel(db).findOne({ number }).lean().exec();
}

/** The number a requested callback is placed from: the lowest of those that ring back to the extension, or null. */
export async function callbackNumberOf(db: Connection, extensionId: Types.ObjectId): Promise<string | null> {
  const found = await phoneNumberModel(db).find({ extensionId }, { number: 1 }).sort({ number: 1 }).limit(1).lean();
  return found[0]?.number ?? null;
}
