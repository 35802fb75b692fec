import assert from 'node:assert/strict';
import { countLines, formatOffender, MAX_FUNCTION_LINES, measureSource, offendersOf } from '../../scripts/size-check';

/** A body of n lines (the first and last hold the braces). */
function body(n: number): string {
  return ['{', ...Array.from({ length: n - 2 }, (_, i) => `  const v${i} = ${i};`), '}'].join('\n');
}

describe('size check (scripts/size-check.ts)', () => {
  describe('counting lines', () => {
    it('when a text ends with a newline, then that newline does not start another line', () => {
      assert.equal(countLines(''), 0);
      assert.equal(countLines('a'), 1);
      assert.equal(countLines('a\n'), 1);
      assert.equal(countLines('a\nb'), 2);
      assert.equal(countLines('a\r\nb\r\n'), 2);
      assert.equal(countLines('\n\n'), 2);
    });
  });

  describe('measuring functions', () => {
    it('when a source holds every kind of function, then each is found with its first line and its length', () => {
      const src = [
        '// a comment above is not part of the function',
        'export function declared(a: number) {', // 2
        '  return a;',
        '}',
        'const arrow = (x: number) =>', // 5
        '  x + 1;',
        'const expr = function named() {', // 7
        '  return 1;',
        '};',
        'class K {',
        '  constructor() {}', // 11
        '  method() {', // 12
        '    return 2;',
        '  }',
        '  get value() {', // 15
        '    return 3;',
        '  }',
        '  set value(v: number) {}', // 18
        '  abstractLike(): void;',
        '}',
        'const obj = { prop: () => 1 };', // 21
        'call(function () {', // 22
        '  return 4;',
        '});',
      ].join('\n');
      const { lines, functions } = measureSource(src);
      assert.equal(lines, 24);
      assert.deepEqual(functions, [
        { name: 'declared', line: 2, lines: 3 },
        { name: 'arrow', line: 5, lines: 2 },
        { name: 'named', line: 7, lines: 3 },
        { name: 'constructor', line: 11, lines: 1 },
        { name: 'method', line: 12, lines: 3 },
        { name: 'value', line: 15, lines: 3 },
        { name: 'value', line: 18, lines: 1 },
        { name: 'prop', line: 21, lines: 1 },
        { name: '(callback of call)', line: 22, lines: 3 },
      ]);
    });

    it('when functions are nested, then each is measured and the outer one includes the inner', () => {
      const src = ['function outer() {', '  const inner = () => {', '    return 1;', '  };', '  return inner;', '}'].join('\n');
      assert.deepEqual(measureSource(src).functions, [
        { name: 'outer', line: 1, lines: 6 },
        { name: 'inner', line: 2, lines: 3 },
      ]);
    });

    it('when a function is returned by another, then it is named after the one that returns it', () => {
      const src = ['function makeHandler() {', '  return async (job: string) => {', '    return job;', '  };', '}', 'const curry = (a: number) => (b: number) => a + b;'].join(
        '\n',
      );
      assert.deepEqual(measureSource(src).functions, [
        { name: 'makeHandler', line: 1, lines: 5 },
        { name: '(returned by makeHandler)', line: 2, lines: 3 },
        { name: 'curry', line: 6, lines: 1 },
        { name: '(returned by curry)', line: 6, lines: 1 },
      ]);
    });

    it('when a function is only declared (an overload), then it has no body to measure', () => {
      const src = ['function f(a: string): string;', 'function f(a: number): number;', 'function f(a: unknown) {', '  return a;', '}'].join('\n');
      assert.deepEqual(measureSource(src).functions, [{ name: 'f', line: 3, lines: 3 }]);
    });

    it('when the source is TSX, then functions returning JSX are measured', () => {
      const src = ['export function Page() {', '  return (', '    <div>', '      hi', '    </div>', '  );', '}'].join('\n');
      assert.deepEqual(measureSource(src, 'page.tsx').functions, [{ name: 'Page', line: 1, lines: 7 }]);
    });
  });

  describe('the limits', () => {
    it('when a function has exactly 60 lines, then it passes, and at 61 it is reported with its line and length', () => {
      const at = `const pad = 0;\nexport function atLimit() ${body(MAX_FUNCTION_LINES)}\n`;
      assert.deepEqual(offendersOf('src/a.ts', at), []);
      const over = `const pad = 0;\nexport function overLimit() ${body(MAX_FUNCTION_LINES + 1)}\n`;
      const found = offendersOf('src/a.ts', over);
      assert.deepEqual(found, [{ path: 'src/a.ts', line: 2, what: 'function overLimit', lines: 61, limit: 60 }]);
      assert.equal(formatOffender(found[0]!), 'src/a.ts:2  function overLimit: 61 lines (limit 60)');
    });

    it('when a file has exactly 300 lines, then it passes, and at 301 it is reported at line 1', () => {
      const lines = (n: number) => `${Array.from({ length: n }, (_, i) => `export const c${i} = ${i};`).join('\n')}\n`;
      assert.deepEqual(offendersOf('routes/b.ts', lines(300)), []);
      assert.deepEqual(offendersOf('routes/b.ts', lines(301)), [{ path: 'routes/b.ts', line: 1, what: 'file', lines: 301, limit: 300 }]);
    });
  });
});
