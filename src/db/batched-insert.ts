import { mongo, type Connection, type Model } from 'mongoose';
import { GroupBatcher } from './group-batcher';

/** The error of one document of a batched insert, shaped like the driver's (so isDuplicateKey works). */
export class InsertError extends Error {
  override name = 'InsertError';
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

const batchers = new WeakMap<Connection, Map<string, GroupBatcher<object, void>>>();

/**
 * Inserts one document as part of a batch (`insertMany`, unordered) with the other inserts into the same
 * collection that are waiting: the webhook path writes four documents per call, and one command per
 * collection per batch is what keeps the embedded database ahead of the calls. Each document is cast,
 * defaulted, checked for its required paths and timestamped by its mongoose model (not the schema's other
 * validators: see `prepare`); a duplicate key fails only its own document, with code 11000.
 */
export function insertBatched<T>(db: Connection, model: Model<T>, data: Partial<T> | Record<string, unknown>): Promise<void> {
  let perDb = batchers.get(db);
  if (!perDb) batchers.set(db, (perDb = new Map()));
  let batcher = perDb.get(model.modelName);
  if (!batcher) {
    batcher = new GroupBatcher<object, void>((items) => insertAll(model, items));
    perDb.set(model.modelName, batcher);
  }
  return batcher.submit(data);
}

/**
 * The document `create()` would write: cast to the schema, defaults and timestamps applied, required
 * paths checked. Without a mongoose document per insert (a third of the cost on the webhook path): the
 * hot-path documents are built by our own code, so the schema's casting and required checks are the
 * validation that matters.
 */
function prepare<T>(model: Model<T>, item: object): object {
  const doc = model.applyDefaults(model.castObject(item) as T) as Record<string, unknown>;
  const missing = model.schema.requiredPaths().filter((p) => valueAt(doc, p) == null);
  if (missing.length) throw new InsertError(`${model.modelName} validation failed: ${missing.map((p) => `\`${p}\` is required`).join(', ')}`, undefined);
  return model.applyTimestamps(doc);
}

function valueAt(doc: Record<string, unknown>, path: string): unknown {
  let v: unknown = doc;
  for (const k of path.split('.')) v = v == null ? undefined : (v as Record<string, unknown>)[k];
  return v;
}

async function insertAll<T>(model: Model<T>, items: object[]): Promise<Array<undefined | Error>> {
  const results: Array<undefined | Error> = items.map(() => undefined);
  const docs: Array<object | undefined> = items.map(() => undefined);
  items.forEach((item, i) => {
    try {
      docs[i] = prepare(model, item);
    } catch (invalid) {
      results[i] = invalid as Error;
    }
  });
  const positions = docs.flatMap((d, i) => (d ? [i] : []));
  const valid = positions.map((i) => docs[i]!);
  if (valid.length === 0) return results;
  try {
    // The driver's collection, not mongoose's: mongoose queues collection calls while disconnected with no
    // time limit, the driver fails after its server selection timeout, and the webhook can still answer.
    await model.db.db!.collection(model.collection.collectionName).insertMany(valid, { ordered: false });
  } catch (err) {
    if (!(err instanceof mongo.MongoBulkWriteError)) throw err;
    const failed = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    for (const w of failed) results[positions[w.index]!] = new InsertError(w.errmsg ?? 'insert failed', w.code);
  }
  return results;
}
