import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { CONFIG_VERSION_ID, configVersionModel } from '../../models/config-version';
import { noteConfigToken } from './events/subscribers';

/**
 * Tells every instance that the configuration changed: their caches (src/callflow/config-cache.ts) are
 * dropped on the next webhook. Called after each configuration write and before its answer, so a call
 * that arrives after the answer sees the change.
 */
export async function markConfigChanged(db: Connection): Promise<void> {
  const token = randomUUID();
  await configVersionModel(db).updateOne({ _id: CONFIG_VERSION_ID }, { $set: { token, changedAt: new Date() } }, { upsert: true });
  // This instance's event subscriptions at once: an event emitted right after a webhook was set (an API
  // cancel, a settlement) must not go by the subscriptions of before, whether or not a call came since.
  noteConfigToken(db, token);
}

/** The current configuration version token, or null when no configuration write ever marked one. */
export async function readConfigToken(db: Connection): Promise<string | null> {
  const doc = await configVersionModel(db).findById(CONFIG_VERSION_ID).lean();
  return doc?.token ?? null;
}
