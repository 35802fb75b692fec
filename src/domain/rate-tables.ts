import type { Connection, Types } from 'mongoose';
import { clientModel } from '../../models/client';
import { rateTableModel, type RateDoc, type RateTableDoc } from '../../models/rate-table';
import { isDuplicateKey } from '../db/duplicate-key';
import { conflict, notFound } from '../errors';
import { oneOrNotFound } from './lookup';
import { paginate, type Page, type PageQuery } from './pagination';

export type { RateDoc, RateTableDoc };

/**
 * Rate tables: per-minute price, billing increments and connect fee per destination prefix, in one
 * currency. A table clients use cannot change its currency (their balances are in the old one) and
 * cannot be deleted; its rates may change at any time (the next call is rated with the new ones).
 */

export interface RateTableInput {
  name: string;
  currency: string;
  rates: RateDoc[];
}

function duplicateName(err: unknown): never {
  if (isDuplicateKey(err)) throw conflict('a rate table with this name exists', 'duplicate', [{ path: 'name', message: 'already used' }]);
  throw err;
}

/** Clients pricing either leg with the table (their dials or their callbacks). */
const usersOf = (id: Types.ObjectId) => ({ $or: [{ rateTableId: id }, { callbackRateTableId: id }] });

export async function createRateTable(db: Connection, input: RateTableInput): Promise<RateTableDoc> {
  const t = await rateTableModel(db).create(input).catch(duplicateName);
  return t.toObject();
}

export function listRateTables(db: Connection, query: PageQuery): Promise<Page<RateTableDoc>> {
  return paginate(rateTableModel(db), {}, query);
}

export async function loadRateTable(db: Connection, id: Types.ObjectId): Promise<RateTableDoc> {
  return oneOrNotFound(rateTableModel(db), { _id: id }, 'rate table');
}

/** Rates are replaced as a whole; the currency only while no client uses the table. */
export async function updateRateTable(db: Connection, id: Types.ObjectId, patch: Partial<RateTableInput>): Promise<RateTableDoc> {
  const current = await loadRateTable(db, id);
  if (patch.currency && patch.currency !== current.currency && (await clientModel(db).exists(usersOf(current._id)))) {
    throw conflict('clients in the old currency use this rate table', 'in_use', [{ path: 'currency', message: 'in use by clients' }]);
  }
  const t = await rateTableModel(db).findOneAndUpdate({ _id: current._id }, { $set: patch }, { returnDocument: 'after' }).lean().catch(duplicateName);
  if (!t) throw notFound('rate table');
  return t;
}

export async function deleteRateTable(db: Connection, id: Types.ObjectId): Promise<void> {
  const t = await loadRateTable(db, id);
  const users = await clientModel(db).countDocuments(usersOf(t._id));
  if (users) throw conflict(`${users} client(s) use this rate table`, 'in_use');
  await rateTableModel(db).deleteOne({ _id: t._id });
}

/** A rate table by id, or null (a client's table was deleted under it). */
export function findRateTable(db: Connection, id: Types.ObjectId): Promise<RateTableDoc | null> {
  return rateTableModel(db).findById(id).lean().exec();
}
