import type { Model, QueryFilter, Types } from 'mongoose';
import { notFound } from '../errors';
import { idOrNotFound, tenantFilter, type Principal } from './tenant';

/** The one document matching `filter`, or the API's "not found" naming `what`. */
export async function oneOrNotFound<T>(model: Model<T>, filter: QueryFilter<T>, what: string): Promise<T> {
  const doc = (await model.findOne(filter).lean()) as T | null;
  if (!doc) throw notFound(what);
  return doc;
}

/** A document by its path id within the principal's tenant: another client's, or a malformed id, is not found. */
export function scopedOrNotFound<T extends { _id: Types.ObjectId }>(model: Model<T>, principal: Principal, id: string, what: string): Promise<T> {
  return oneOrNotFound(model, { _id: idOrNotFound(id, what), ...tenantFilter(principal) } as QueryFilter<T>, what);
}
