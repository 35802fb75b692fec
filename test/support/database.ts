import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type mongoose from 'mongoose';
import { connectDatabase } from '../../src/db/connect';
import { startEmbeddedDb, type EmbeddedDb } from '../../src/db/embedded-ferretdb';

/**
 * One real database per test run: MONGODB_URI when set (a fresh database name per run), otherwise the
 * embedded FerretDB in a fresh temporary directory.
 */
let embedded: EmbeddedDb | undefined;
let tmpDir: string | undefined;
let uri: string | undefined;
let connection: mongoose.Connection | undefined;
const dbName = `callback_test_${process.pid}_${Date.now()}`;

export async function startTestDatabase(): Promise<void> {
  if (process.env.MONGODB_URI) {
    uri = process.env.MONGODB_URI;
  } else {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callback-test-db-'));
    embedded = await startEmbeddedDb({ dataDir: tmpDir, log: (m) => console.log(m) });
    uri = embedded.uri;
  }
  connection = await connectDatabase(uri, dbName);
}

export async function stopTestDatabase(): Promise<void> {
  if (connection) {
    if (process.env.MONGODB_URI) await connection.dropDatabase().catch(() => {});
    await connection.close();
  }
  await embedded?.stop();
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
}

export function testDb(): mongoose.Connection {
  if (!connection) throw new Error('test database not started (root hooks missing?)');
  return connection;
}

/** The embedded database's directory (its SQLite files), or undefined when the tests run on MONGODB_URI. */
export function testDataDir(): string | undefined {
  return embedded ? tmpDir : undefined;
}

export function testDbUri(): { uri: string; dbName: string } {
  if (!uri) throw new Error('test database not started');
  return { uri, dbName };
}

/** Empties every collection but keeps indexes, so each test starts from nothing. */
export async function clearTestDatabase(): Promise<void> {
  const conn = testDb();
  const collections = await conn.db!.listCollections({}, { nameOnly: true }).toArray();
  await Promise.all(collections.filter((c) => !c.name.startsWith('system.')).map((c) => conn.db!.collection(c.name).deleteMany({})));
}
