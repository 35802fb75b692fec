/**
 * `npm run size`: no file in src/, routes/ or models/ over 300 lines, no function over 60.
 *
 * Functions are found with the TypeScript compiler's parser (the typescript5 alias: TypeScript 7 ships no
 * JavaScript API), so declarations, methods, constructors, accessors, arrows and function expressions all
 * count, wherever they sit. A function's length runs from the line its code starts on (leading comments
 * excluded) to the line it ends on, both included; a nested function counts within its parent too.
 * Prints each offender as path:line and exits 1 if there is any.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript5';

export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 60;
const DEFAULT_ROOTS = ['src', 'routes', 'models'];
const SOURCE = /\.(ts|tsx|mts|cts)$/;

export interface FunctionSize {
  name: string;
  /** 1-based line the function's code starts on. */
  line: number;
  lines: number;
}

export interface SourceSize {
  lines: number;
  functions: FunctionSize[];
}

/** Lines of a text: a final newline ends the last line, it does not start another. */
export function countLines(text: string): number {
  if (text === '') return 0;
  const breaks = text.match(/\r\n|\r|\n/g)?.length ?? 0;
  return /(\r\n|\r|\n)$/.test(text) ? breaks : breaks + 1;
}

type FunctionNode = ts.FunctionLikeDeclaration;

function isFunctionNode(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node)
  );
}

function nameOf(node: FunctionNode, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText(source);
  // An anonymous function takes the name it is given: `const f = () => ...`, `{ f: () => ... }`, `x.f = ...`.
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) {
    return parent.name.getText(source);
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return parent.left.getText(source);
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(source).slice(0, 40)})`;
  if (ts.isReturnStatement(parent) || ts.isArrowFunction(parent)) {
    let outer: ts.Node | undefined = parent;
    while (outer && !isFunctionNode(outer)) outer = outer.parent;
    if (outer) return `(returned by ${nameOf(outer as FunctionNode, source)})`;
  }
  return '(anonymous)';
}

/** The file's line count and every function in it with its length. */
export function measureSource(text: string, fileName = 'source.ts'): SourceSize {
  const kind = fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const functions: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    // A declaration without a body (an overload, an abstract or ambient method) has no code to measure.
    if (isFunctionNode(node) && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      functions.push({ name: nameOf(node, source), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { lines: countLines(text), functions };
}

export interface Offender {
  path: string;
  line: number;
  what: string;
  lines: number;
  limit: number;
}

/** What breaks the limits in one file, in the order of its lines. */
export function offendersOf(filePath: string, text: string): Offender[] {
  const size = measureSource(text, filePath);
  const found: Offender[] = [];
  if (size.lines > MAX_FILE_LINES) found.push({ path: filePath, line: 1, what: 'file', lines: size.lines, limit: MAX_FILE_LINES });
  for (const f of size.functions) {
    if (f.lines > MAX_FUNCTION_LINES) found.push({ path: filePath, line: f.line, what: `function ${f.name}`, lines: f.lines, limit: MAX_FUNCTION_LINES });
  }
  return found;
}

function sourceFiles(root: string): string[] {
  const entries = readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  return entries.flatMap((e) => {
    const full = path.join(root, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(full);
    return e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

export function formatOffender(o: Offender): string {
  return `${o.path}:${o.line}  ${o.what}: ${o.lines} lines (limit ${o.limit})`;
}

function main(roots: string[]): number {
  const offenders = roots.flatMap(sourceFiles).flatMap((file) => offendersOf(file.split(path.sep).join('/'), readFileSync(file, 'utf8')));
  for (const o of offenders) console.log(formatOffender(o));
  if (offenders.length === 0) {
    console.log(`size check: no file over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES} in ${roots.join(', ')}`);
    return 0;
  }
  console.log(`size check: ${offenders.length} over the limits (files ${MAX_FILE_LINES} lines, functions ${MAX_FUNCTION_LINES})`);
  return 1;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  process.exitCode = main(args.length > 0 ? args : DEFAULT_ROOTS);
}
