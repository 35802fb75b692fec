import { Types, type Connection } from 'mongoose';
import { type AuthorizedCallerDoc, authorizedCallerModel } from '../../models/authorized-caller';
import { clientModel } from '../../models/client';
import { creditEntryModel, type CreditEntryDoc, type CreditEntryKind } from '../../models/credit-entry';
import { conflict, notFound } from '../errors';
import { MAX_MONEY, MAX_MONEY_TEXT } from '../money';
import { paginate, type Page, type PageQuery } from './pagination';

export type { CreditEntryDoc };

/**
 * Credit changes without transactions (FerretDB has none; on MongoDB this also avoids them):
 *  1. the ledger entry is written `pending`;
 *  2. one conditional $inc changes the balance (never below zero unless allowed) and records the entry
 *     id in the owner's `pendingEntryIds`, atomically in the same document;
 *  3. the entry is marked `applied` with the balance after it, and the id is pulled again.
 * A crash between the steps leaves a pending entry whose id tells, from the owner document, whether
 * the $inc happened: `repairPendingEntries` finishes each such entry exactly once.
 */

export interface ClientCreditChange {
  clientId: string | Types.ObjectId;
  amount: number;
  kind: CreditEntryKind;
  note?: string | null;
  callId?: Types.ObjectId | null;
  /** Call charges settle what was really spoken even past zero; everything else stops at zero. */
  allowNegative?: boolean;
  now: Date;
}

export async function changeClientCredit(db: Connection, change: ClientCreditChange) {
  const entries = creditEntryModel(db);
  const clients = clientModel(db);
  const clientId = new Types.ObjectId(String(change.clientId));
  const entry = await entries.create({
    clientId,
    kind: change.kind,
    amount: change.amount,
    note: change.note ?? null,
    callId: change.callId ?? null,
    state: 'pending',
    createdAt: change.now,
  });
  const filter: Record<string, unknown> = { _id: clientId };
  if (change.amount < 0 && !change.allowNegative) filter.balance = { $gte: -change.amount };
  // A balance stays within what is exact in ten-thousandths (src/money.ts), like every amount.
  if (change.amount > 0) filter.balance = { $lte: MAX_MONEY - change.amount };
  const updated = await clients.findOneAndUpdate(filter, { $inc: { balance: change.amount }, $addToSet: { pendingEntryIds: entry._id } }, { returnDocument: 'after' }).lean();
  if (!updated) {
    await entries.updateOne({ _id: entry._id }, { $set: { state: 'refused' } });
    if (!(await clients.exists({ _id: clientId }))) throw notFound('client');
    if (change.amount > 0) {
      throw conflict(`the balance would exceed the maximum ${MAX_MONEY_TEXT}`, 'balance_limit', [{ path: 'amount', message: `would take the balance beyond ${MAX_MONEY_TEXT}` }]);
    }
    throw conflict('the balance is too low for this change', 'insufficient_credit', [{ path: 'amount', message: 'would take the balance below zero' }]);
  }
  await entries.updateOne({ _id: entry._id }, { $set: { state: 'applied', balanceAfter: updated.balance } });
  await clients.updateOne({ _id: clientId }, { $pull: { pendingEntryIds: entry._id } });
  return { entryId: entry._id, balance: updated.balance };
}

export interface CallerCreditChange {
  callerId: string | Types.ObjectId;
  amount: number;
  kind: CreditEntryKind;
  note?: string | null;
  now: Date;
}

/**
 * An authorized caller ID's allowance. As in VoipNow, any amount applied to an "unlimited" caller ID
 * makes it limited: a negative one leaves it at 0, a positive one at that amount.
 */
export async function changeCallerCredit(db: Connection, change: CallerCreditChange) {
  const entries = creditEntryModel(db);
  const callers = authorizedCallerModel(db);
  const callerId = new Types.ObjectId(String(change.callerId));
  const caller = await callers.findById(callerId).lean();
  if (!caller) throw notFound('authorized caller ID');
  const entry = await entries.create({
    clientId: caller.clientId,
    authorizedCallerId: callerId,
    kind: change.kind,
    amount: change.amount,
    note: change.note ?? null,
    state: 'pending',
    createdAt: change.now,
  });
  let updated: AuthorizedCallerDoc | null = null;
  if (caller.unlimited) {
    updated = await callers
      .findOneAndUpdate(
        { _id: callerId, unlimited: true },
        {
          $set: { unlimited: false, available: Math.max(0, change.amount) },
          $inc: { recharged: Math.max(0, change.amount) },
          $addToSet: { pendingEntryIds: entry._id },
        },
        { returnDocument: 'after' },
      )
      .lean();
  }
  if (!updated) {
    const filter: Record<string, unknown> = { _id: callerId, unlimited: false };
    if (change.amount < 0) filter.available = { $gte: -change.amount };
    if (change.amount > 0) filter.available = { $lte: MAX_MONEY - change.amount };
    updated = await callers
      .findOneAndUpdate(filter, { $inc: { available: change.amount, recharged: change.amount }, $addToSet: { pendingEntryIds: entry._id } }, { returnDocument: 'after' })
      .lean();
  }
  if (!updated) {
    await entries.updateOne({ _id: entry._id }, { $set: { state: 'refused' } });
    if (change.amount > 0) {
      throw conflict(`the available credit would exceed the maximum ${MAX_MONEY_TEXT}`, 'balance_limit', [
        { path: 'amount', message: `would take the available credit beyond ${MAX_MONEY_TEXT}` },
      ]);
    }
    throw conflict('the caller ID has less credit than that', 'insufficient_credit', [{ path: 'amount', message: 'would take the available credit below zero' }]);
  }
  await entries.updateOne({ _id: entry._id }, { $set: { state: 'applied', balanceAfter: updated.available } });
  await callers.updateOne({ _id: callerId }, { $pull: { pendingEntryIds: entry._id } });
  return { entryId: entry._id, available: updated.available };
}

/**
 * Finishes ledger entries left pending by a crash: applied ones (their id is on the owner) are
 * confirmed, the others are marked refused (the change never happened). Returns how many it settled.
 */
export async function repairPendingEntries(db: Connection, olderThan: Date): Promise<number> {
  const entries = creditEntryModel(db);
  const stale = await entries
    .find({ state: 'pending', createdAt: { $lt: olderThan } })
    .limit(500)
    .lean();
  for (const e of stale) {
    const owner = e.authorizedCallerId
      ? await authorizedCallerModel(db).findOne({ _id: e.authorizedCallerId, pendingEntryIds: e._id }).lean()
      : await clientModel(db).findOne({ _id: e.clientId, pendingEntryIds: e._id }).lean();
    if (owner) {
      const after = 'available' in owner ? owner.available : owner.balance;
      await entries.updateOne({ _id: e._id, state: 'pending' }, { $set: { state: 'applied', balanceAfter: after } });
      if (e.authorizedCallerId) await authorizedCallerModel(db).updateOne({ _id: e.authorizedCallerId }, { $pull: { pendingEntryIds: e._id } });
      else await clientModel(db).updateOne({ _id: e.clientId }, { $pull: { pendingEntryIds: e._id } });
    } else {
      await entries.updateOne({ _id: e._id, state: 'pending' }, { $set: { state: 'refused' } });
    }
  }
  return stale.length;
}

/** One ledger entry, as the change that wrote it returned its id. */
export async function loadEntry(db: Connection, id: Types.ObjectId): Promise<CreditEntryDoc> {
  const entry = await creditEntryModel(db).findById(id).lean();
  if (!entry) throw notFound('credit entry');
  return entry;
}

/** The applied entries of a client's own balance (not its caller IDs'), newest first. */
export function clientLedger(db: Connection, clientId: Types.ObjectId, query: PageQuery): Promise<Page<CreditEntryDoc>> {
  return paginate(creditEntryModel(db), { clientId, authorizedCallerId: null, state: 'applied' }, query);
}

/** The applied entries of one authorized caller ID's credit, newest first. */
export function callerLedger(db: Connection, caller: { _id: Types.ObjectId; clientId: Types.ObjectId }, query: PageQuery): Promise<Page<CreditEntryDoc>> {
  return paginate(creditEntryModel(db), { clientId: caller.clientId, authorizedCallerId: caller._id, state: 'applied' }, query);
}
