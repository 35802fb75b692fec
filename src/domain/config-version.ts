import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { CONFIG_VERSION_ID, configVersionModel } from '../../models/config-version';

/**
 * Tells every instance that the configuration changed: their caches (src/callflow/config-cache.ts) are
 * dropped on the next webhook. Called after each configuration write and before its answer, so a call
 * that arrives after the answer sees the change.
 */
export async function markConfigChanged(db: Connection): Promise<void> {
  await configVersionModel(db).updateOne({ _id: CONFIG_VERSION_ID }, { $set: { token: randomUUID(), changedAt: new Date() } }, { upsert: true });
}

/** The current configuration version token, or null when no configuration write ever marked one. */
export async function readConfigToken(db: Connection): Promise<string | null> {
  const doc = await configVersionModel(db).findById(CONFIG_VERSION_ID).lean();
  return doc?.token ?? null;
}
