import { Types, type QueryFilter, type Model } from 'mongoose';

/** What a list route asks for (validated at the edge): a page size and the last id of the previous page. */
export interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination on _id (newest first): stable under inserts and an index seek per page, unlike
 * skip/limit. The cursor is the last id of the page.
 */
export async function paginate<T extends { _id: Types.ObjectId }>(
  model: Model<T>,
  filter: QueryFilter<T>,
  query: PageQuery,
  opts: { project?: Record<string, 0 | 1> } = {},
): Promise<Page<T>> {
  const f: QueryFilter<T> = query.cursor ? { $and: [filter, { _id: { $lt: new Types.ObjectId(query.cursor) } }] } : filter;
  let q = model
    .find(f)
    .sort({ _id: -1 })
    .limit(query.limit + 1);
  if (opts.project) q = q.select(opts.project);
  const docs = (await q.lean()) as T[];
  const items = docs.slice(0, query.limit);
  const nextCursor = docs.length > query.limit ? String(items[items.length - 1]!._id) : null;
  return { items, nextCursor };
}
