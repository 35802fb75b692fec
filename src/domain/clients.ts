import { Types, type Connection } from 'mongoose';
import { apiKeyModel } from '../../models/api-key';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { clientModel, type ClientDoc } from '../../models/client';
import { creditEntryModel } from '../../models/credit-entry';
import { extensionModel } from '../../models/extension';
import { phoneNumberModel } from '../../models/phone-number';
import { rateTableModel } from '../../models/rate-table';
import { isDuplicateKey } from '../db/duplicate-key';
import { conflict, notFound, validationError } from '../errors';
import { changeClientCredit } from './ledger';
import { oneOrNotFound } from './lookup';
import { paginate, type Page, type PageQuery } from './pagination';

export type { ClientDoc };

export interface ClientInput {
  name: string;
  currency: string;
  credit: number;
  rateTableId: string;
  callbackRateTableId: string | null;
  unlimitedCredit: boolean;
  maxConcurrentCalls: number | null;
  allowPrefixes: string[];
  denyPrefixes: string[];
}

async function checkRateTable(db: Connection, rateTableId: string, currency: string, path = 'rateTableId'): Promise<void> {
  const table = await rateTableModel(db).findById(rateTableId).lean();
  if (!table) throw validationError('no such rate table', [{ path, message: 'no rate table with this id' }]);
  if (table.currency !== currency) {
    throw validationError('the rate table prices in another currency', [{ path, message: `rate table is in ${table.currency}, client in ${currency}` }]);
  }
}

function duplicateName(err: unknown): never {
  if (isDuplicateKey(err)) throw conflict('a client with this name exists', 'duplicate', [{ path: 'name', message: 'already used' }]);
  throw err;
}

export async function createClient(db: Connection, input: ClientInput, now: Date): Promise<ClientDoc> {
  await checkRateTable(db, input.rateTableId, input.currency);
  if (input.callbackRateTableId) await checkRateTable(db, input.callbackRateTableId, input.currency, 'callbackRateTableId');
  const { credit, ...rest } = input;
  const client = await clientModel(db)
    .create({
      ...rest,
      rateTableId: new Types.ObjectId(input.rateTableId),
      callbackRateTableId: input.callbackRateTableId ? new Types.ObjectId(input.callbackRateTableId) : null,
      balance: 0,
    })
    .catch(duplicateName);
  if (credit !== 0) await changeClientCredit(db, { clientId: client._id, amount: credit, kind: 'initial', note: 'initial credit', now });
  return (await clientModel(db).findById(client._id).lean())!;
}

export async function updateClient(db: Connection, id: Types.ObjectId, patch: Partial<Omit<ClientInput, 'credit'>> & { webhook?: ClientDoc['webhook'] }): Promise<ClientDoc> {
  const clients = clientModel(db);
  const current = await clients.findById(id).lean();
  if (!current) throw notFound('client');
  if (patch.rateTableId !== undefined || patch.currency !== undefined) {
    await checkRateTable(db, patch.rateTableId ?? String(current.rateTableId), patch.currency ?? current.currency);
  }
  const callbackTable = patch.callbackRateTableId === undefined ? (current.callbackRateTableId ? String(current.callbackRateTableId) : null) : patch.callbackRateTableId;
  if (callbackTable && (patch.callbackRateTableId !== undefined || patch.currency !== undefined)) {
    await checkRateTable(db, callbackTable, patch.currency ?? current.currency, 'callbackRateTableId');
  }
  const set: Record<string, unknown> = { ...patch };
  if (patch.rateTableId) set.rateTableId = new Types.ObjectId(patch.rateTableId);
  if (patch.callbackRateTableId !== undefined) set.callbackRateTableId = patch.callbackRateTableId ? new Types.ObjectId(patch.callbackRateTableId) : null;
  const updated = await clients.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }).lean().catch(duplicateName);
  if (!updated) throw notFound('client');
  return updated;
}

/** A client with extensions or numbers still assigned is in use: refuse rather than orphan them. */
export async function deleteClient(db: Connection, id: Types.ObjectId): Promise<void> {
  if (!(await clientModel(db).exists({ _id: id }))) throw notFound('client');
  const [extensions, numbers] = await Promise.all([extensionModel(db).countDocuments({ clientId: id }), phoneNumberModel(db).countDocuments({ clientId: id })]);
  if (extensions || numbers) {
    throw conflict(`the client still has ${extensions} extension(s) and ${numbers} number(s); remove or reassign them first`, 'in_use');
  }
  await Promise.all([apiKeyModel(db).deleteMany({ clientId: id }), authorizedCallerModel(db).deleteMany({ clientId: id }), creditEntryModel(db).deleteMany({ clientId: id })]);
  await clientModel(db).deleteOne({ _id: id });
}

export function listClients(db: Connection, query: PageQuery): Promise<Page<ClientDoc>> {
  return paginate(clientModel(db), {}, query);
}

export async function loadClient(db: Connection, id: Types.ObjectId): Promise<ClientDoc> {
  return oneOrNotFound(clientModel(db), { _id: id }, 'client');
}

/** The currency a client's amounts are in (its balance, its caller IDs' credit). */
export async function currencyOf(db: Connection, id: Types.ObjectId): Promise<string> {
  const c = await clientModel(db).findById(id, { currency: 1 }).lean();
  if (!c) throw notFound('client');
  return c.currency;
}

/** The balances of several clients in one query (the config cache batches the incoming webhooks' reads). */
export function balancesOf(db: Connection, ids: string[]): Promise<Pick<ClientDoc, '_id' | 'balance'>[]> {
  return clientModel(db)
    .find({ _id: { $in: [...new Set(ids)] } }, { balance: 1 })
    .lean()
    .exec();
}

/** A client by id, or null (the call flow reaches it from a number or a session). */
export function findClient(db: Connection, id: Types.ObjectId): Promise<ClientDoc | null> {
  return clientModel(db).findById(id).lean().exec();
}
