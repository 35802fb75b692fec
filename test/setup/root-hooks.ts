import { defaultTwilioReferenceDir, findTwilioReferenceDir } from '../../src/twilio-sim/reference-dir';
import { clearTestDatabase, startTestDatabase, stopTestDatabase } from '../support/database';

// Twilio's TwiML XSD is not on npm: a clone without the reference directory skips those checks (CI has it).
if (!findTwilioReferenceDir()) {
  console.log(`TwiML XSD checks skipped: no Twilio reference directory at ${defaultTwilioReferenceDir()} (set TWILIO_REFERENCE_DIR); our own TwiML rules and Twilio's REST OpenAPI still apply`);
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(720_000); // a first run on a fresh machine builds FerretDB
    await startTestDatabase();
  },
  async beforeEach() {
    await clearTestDatabase();
  },
  async afterAll() {
    await stopTestDatabase();
  },
};
