/**
 * The direction of the code, checked by `npm run deps` (the first step of `npm test`):
 *   routes/ (the HTTP edge) -> src/ (call flow, domain, billing...) -> models/ (mongoose schemas)
 * with src/server.ts, the composition root, the one file of src/ that reaches up into routes/.
 */

/**
 * Outside the service, the only code that may use the mongoose models directly: tests, scripts and the
 * bench set up and inspect documents. In the service, only src/domain/ does.
 */
const NON_SERVICE_MODEL_USERS = ['^test/', '^scripts/', '^bench/'];

/** src/ as seen by the two edge rules: all of it but the composition root and Twilio's side (the simulator). */
const SRC_BELOW_THE_EDGE = { path: '^src/', pathNot: ['^src/server\\.ts$', '^src/twilio-sim/'] };

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle, type-only imports included (tsPreCompilationDeps): a cycle means two modules are one.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-to-routes',
      severity: 'error',
      comment:
        'routes/ is the HTTP edge and depends on src/, never the reverse. Exceptions: src/server.ts (the composition ' +
        'root mounts the app) and src/twilio-sim/ (Twilio\'s side: it drives our webhooks).',
      from: SRC_BELOW_THE_EDGE,
      to: { path: '^routes/' },
    },
    {
      name: 'src-not-to-express',
      severity: 'error',
      comment:
        'Express belongs to routes/; a module of src/ that needs a request or response shape declares its own small type. ' +
        'Same exceptions as src-not-to-routes.',
      from: SRC_BELOW_THE_EDGE,
      to: { path: '(^|/)node_modules/(@types/)?express(-serve-static-core)?/' },
    },
    {
      name: 'only-domain-to-models',
      severity: 'error',
      comment:
        'Each collection has one owner in src/domain/; everything else calls its use cases. ' +
        'Tests, scripts and the bench (NON_SERVICE_MODEL_USERS, top of this file) may too.',
      from: { pathNot: ['^src/domain/', '^models/', ...NON_SERVICE_MODEL_USERS] },
      to: { path: '^models/' },
    },
    {
      name: 'models-are-leaves',
      severity: 'error',
      comment: 'models/ holds the mongoose schemas and their document types only: it imports nothing of src/ or routes/.',
      from: { path: '^models/' },
      to: { path: '^(src|routes)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file (a typo, or a module moved without its importers).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^console/' },
    // Reads `import type` (and `import { type X }`) too: TypeScript would erase them before any other parser sees them.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
