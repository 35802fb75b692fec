/**
 * Runs dependency-cruiser (the rules are in .dependency-cruiser.cjs) with the TypeScript 5 compiler API.
 * dependency-cruiser reads `import type` only through that API (tsPreCompilationDeps), and TypeScript 7,
 * our compiler, is a native binary that no longer ships it: here `typescript` is pointed at the
 * typescript5 alias (as in scripts/console-api-types.ts), for both its version check (a require of
 * typescript/package.json) and its import. Arguments are passed on to the depcruise command line.
 */
import Module, { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = Module.createRequire(import.meta.url);
const ts5Entry = require.resolve('typescript5');
const ts5Dir = path.dirname(path.dirname(ts5Entry));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'typescript') return ts5Entry;
  if (request === 'typescript/package.json') return path.join(ts5Dir, 'package.json');
  return resolveFilename.call(this, request, ...rest);
};

const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'typescript') return { url: ${JSON.stringify(pathToFileURL(ts5Entry).href)}, shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

process.argv = [process.argv[0], 'depcruise', ...process.argv.slice(2)];
// The command's own file (the package exports its API, not its bin): beside its package.json.
const dcMain = new URL(import.meta.resolve('dependency-cruiser')).pathname; // <package>/src/main/index.mjs
const dcDir = path.resolve(path.dirname(dcMain), '..', '..');
await import(pathToFileURL(path.join(dcDir, 'bin', 'dependency-cruise.mjs')).href);
