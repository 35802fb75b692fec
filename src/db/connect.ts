import mongoose from 'mongoose';
import { withTimeout } from '../timeout';

export const DEFAULT_DB_NAME = 'callback';

/**
 * Opens a dedicated connection (not mongoose's global one), so tests and several app instances in one
 * process each have their own handle. The database name comes from the URI path when it has one.
 */
export async function connectDatabase(uri: string, dbName?: string): Promise<mongoose.Connection> {
  const fromUri = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri)?.[1];
  const conn = mongoose.createConnection(uri, {
    dbName: dbName ?? fromUri ?? DEFAULT_DB_NAME,
    serverSelectionTimeoutMS: 5_000,
    autoIndex: true,
    // Command events feed the database latency metrics (src/metrics/db-commands.ts); without a listener they cost next to nothing.
    monitorCommands: true,
  });
  await conn.asPromise();
  return conn;
}

/** Answers within timeoutMs whether the database responds to a ping. */
export async function pingDatabase(conn: mongoose.Connection, timeoutMs = 1_000): Promise<boolean> {
  if (conn.readyState !== 1 || !conn.db) return false;
  const ping = conn.db
    .admin()
    .command({ ping: 1 })
    .then(
      () => true,
      () => false,
    );
  return withTimeout(ping, timeoutMs, () => false);
}
