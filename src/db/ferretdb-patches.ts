import fs from 'node:fs';
import path from 'node:path';

/**
 * Small fixes applied to FerretDB v1.24.2's SQLite backend before the embedded database is built.
 * Without them every lookup by `_id` scans the whole table, so each webhook got slower as the call
 * history grew (measured on 3,000 documents: find by `_id` 4.3 ms, `{_id, status}` 28 ms, updateOne
 * by `_id` 11.6 ms, `{_id: {$in: [50 ids]}}` 55 ms; with them 0.8, 0.6, 1.3 and about 1 ms).
 *
 * The build copies the module from the Go module cache, applies these replacements and builds against the
 * copy (a `replace` in a temporary go.mod). A replacement that does not find its text exactly `count`
 * times stops the build: a FerretDB upgrade must look at them again, never silently drop them.
 */
export interface SourcePatch {
  file: string;
  find: string;
  replace: string;
  count: number;
  why: string;
}

export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

export const FERRETDB_PATCHES: readonly SourcePatch[] = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    find: `IDColumn = DefaultColumn + "->'$._id'"`,
    replace: 'IDColumn = DefaultColumn + `->"_id"`',
    count: 1,
    why:
      'The unique _id index is created on the expression _ferretdb_sjson->"_id", but lookups, updates and ' +
      "deletes compare _ferretdb_sjson->'$._id'. SQLite only uses an expression index for the identical " +
      'expression (EXPLAIN QUERY PLAN: SCAN instead of SEARCH USING INDEX), so every _id lookup was a scan.',
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    find: 'if params.Filter.Len() == 1 {',
    replace: 'if params.Filter.Len() >= 1 {',
    count: 2,
    why:
      'Only a filter that is exactly {_id: x} was pushed down; {_id: x, state: "queued"} (every conditional ' +
      'update) scanned the collection. The handler filters every document again in Go after the backend ' +
      'query, so narrowing by _id first returns the same documents.',
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    find: '\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\t}',
    replace: [
      '\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}',
      '\t\tcase *types.Document:',
      '\t\t\tif w, a := idInWhereClause(v.(*types.Document)); w != "" {',
      '\t\t\t\twhereClause, args = w, a',
      '\t\t\t}',
      '\t\t}',
    ].join('\n'),
    count: 2,
    why: 'Batched lookups ({_id: {$in: [...]}}: balances, job claims and removals) scanned the table; with only strings or ObjectIDs in the list they are answered from the _id index.',
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    find: '// InsertAll implements backends.Collection interface.',
    replace: [
      '// idInWhereClause pushes down {$in: [...]} on _id when every element is a string or an ObjectID',
      '// (added by the callback service\'s build, src/db/ferretdb-patches.ts); "" when it cannot.',
      'func idInWhereClause(d *types.Document) (string, []any) {',
      '\tif d.Len() != 1 {',
      '\t\treturn "", nil',
      '\t}',
      '\tin, err := d.Get("$in")',
      '\tif err != nil {',
      '\t\treturn "", nil',
      '\t}',
      '\tarr, ok := in.(*types.Array)',
      '\tif !ok || arr.Len() == 0 || arr.Len() > 1000 {',
      '\t\treturn "", nil',
      '\t}',
      '\targs := make([]any, 0, arr.Len())',
      '\tfor i := 0; i < arr.Len(); i++ {',
      '\t\te := must.NotFail(arr.Get(i))',
      '\t\tswitch e.(type) {',
      '\t\tcase string, types.ObjectID:',
      '\t\t\targs = append(args, string(must.NotFail(sjson.MarshalSingleValue(e))))',
      '\t\tdefault:',
      '\t\t\treturn "", nil',
      '\t\t}',
      '\t}',
      '\treturn fmt.Sprintf(` WHERE %s IN (?%s)`, metadata.IDColumn, strings.Repeat(", ?", len(args)-1)), args',
      '}',
      '',
      '// InsertAll implements backends.Collection interface.',
    ].join('\n'),
    count: 1,
    why: 'The function the previous patch calls.',
  },
];

/** Applies the patches to a writable copy of the module; throws naming the patch that no longer fits. */
export function applyFerretDbPatches(moduleDir: string, patches: readonly SourcePatch[] = FERRETDB_PATCHES): void {
  for (const p of patches) {
    const file = path.join(moduleDir, p.file);
    const source = fs.readFileSync(file, 'utf8');
    const found = source.split(p.find).length - 1;
    if (found !== p.count) {
      throw new Error(`FerretDB patch for ${p.file} expected ${p.count} occurrence(s) of ${JSON.stringify(p.find)}, found ${found}`);
    }
    // Files copied from the module cache are read-only: replace the file rather than write into it.
    fs.rmSync(file);
    fs.writeFileSync(file, source.split(p.find).join(p.replace));
  }
}
