import { clearTestDatabase, startTestDatabase, stopTestDatabase } from '../support/database';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(240_000); // a first run on a fresh machine builds FerretDB
    await startTestDatabase();
  },
  async beforeEach() {
    await clearTestDatabase();
  },
  async afterAll() {
    await stopTestDatabase();
  },
};
