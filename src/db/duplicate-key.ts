/**
 * True when a write broke a unique index. MongoDB says E11000; FerretDB's SQLite backend says so on
 * inserts but answers an update that breaks the index with InternalError "UNIQUE constraint failed".
 */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e.code === 11000 || (e.code === 1 && /UNIQUE constraint failed/.test(e.message ?? ''));
}
