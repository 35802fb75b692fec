import path from 'node:path';
import { defaultTwilioReferenceDir, findTwilioReferenceDir } from '../../src/twilio-sim/reference-dir';

// Twilio's TwiML XSD is not on npm: a clone without the reference directory skips those checks (CI has it).
if (!findTwilioReferenceDir()) {
  console.log(
    `TwiML XSD checks skipped: no Twilio reference directory at ${defaultTwilioReferenceDir()} (set TWILIO_REFERENCE_DIR); our own TwiML rules and Twilio's REST OpenAPI still apply`,
  );
}

/**
 * The database starts only when a test file of this run reaches test/support/database.ts (directly or
 * through the harness): mocha loads every spec file before the first hook, so by then the module is in
 * the require cache exactly when some suite asked for it. Pure suites (`npx mocha test/callflow/i18n`)
 * start nothing. This file must not import the database module itself, or every run would look like
 * one that needs it.
 */
const DATABASE_MODULE = path.resolve(__dirname, '../support/database.ts');
type DatabaseModule = typeof import('../support/database');

function loadedDatabaseModule(): DatabaseModule | null {
  return require.cache[DATABASE_MODULE] ? (require(DATABASE_MODULE) as DatabaseModule) : null;
}

/** Whether a spec file imports the database module, through any chain of imports (cached per file). */
const usesDatabase = new Map<string, boolean>();
function fileUsesDatabase(file: string | undefined): boolean {
  if (!file) return true; // unknown origin: clear, as before
  let known = usesDatabase.get(file);
  if (known === undefined) {
    known = reaches(require.cache[path.resolve(file)], new Set());
    usesDatabase.set(file, known);
  }
  return known;
}

function reaches(mod: NodeJS.Module | undefined, seen: Set<string>): boolean {
  if (!mod || seen.has(mod.id)) return false;
  seen.add(mod.id);
  if (mod.id === DATABASE_MODULE) return true;
  return mod.children.some((child) => reaches(child, seen));
}

let database: DatabaseModule | null = null;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    database = loadedDatabaseModule();
    if (!database) return;
    this.timeout(720_000); // a first run on a fresh machine builds FerretDB
    await database.startTestDatabase();
  },
  async beforeEach(this: Mocha.Context) {
    if (database && fileUsesDatabase(this.currentTest?.file)) await database.clearTestDatabase();
  },
  async afterAll() {
    await database?.stopTestDatabase();
  },
};
