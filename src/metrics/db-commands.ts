import type { Connection, mongo } from 'mongoose';

/**
 * Feeds the driver's command monitoring (the connection is opened with `monitorCommands: true`, see
 * src/db/connect.ts) into the metrics: each command's duration by its name. The listeners only observe
 * a histogram, in memory. Returns a function that detaches them (tests share one connection).
 */
export function observeDatabaseCommands(conn: Connection, metrics: { dbCommand(name: string, seconds: number, ok: boolean): void }): () => void {
  const client = conn.getClient();
  const succeeded = (e: mongo.CommandSucceededEvent) => metrics.dbCommand(e.commandName, e.duration / 1000, true);
  const failed = (e: mongo.CommandFailedEvent) => metrics.dbCommand(e.commandName, e.duration / 1000, false);
  client.on('commandSucceeded', succeeded);
  client.on('commandFailed', failed);
  return () => {
    client.off('commandSucceeded', succeeded);
    client.off('commandFailed', failed);
  };
}
