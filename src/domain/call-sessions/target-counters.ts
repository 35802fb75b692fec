import type { Connection } from 'mongoose';
import { targetCounterModel, type TargetCounterDoc } from '../../../models/target-counter';

export type { TargetCounterDoc };

/**
 * Per-target counts over the last hour in one-minute buckets (models/target-counter.ts). The pure half
 * (what counts, which buckets to drop) is separate from the one update that records an event.
 */
const MINUTE_MS = 60_000;
const WINDOW_MINUTES = 60;

export const callbackCounterId = (target: string) => `callbacks:${target}`;
export const wrongPinCounterId = (target: string) => `wrong-pins:${target}`;

const minuteOf = (now: Date) => Math.floor(now.getTime() / MINUTE_MS);

/** Events within the hour before `now` (the current minute included). */
export function countWithinHour(doc: Pick<TargetCounterDoc, 'minutes'> | null | undefined, now: Date): number {
  const first = minuteOf(now) - WINDOW_MINUTES + 1;
  let n = 0;
  for (const [key, count] of Object.entries(doc?.minutes ?? {})) {
    if (Number(key.slice(1)) >= first && typeof count === 'number') n += count;
  }
  return n;
}

/** The update that counts one event now and drops buckets older than the hour (seen in `doc`). */
export function countEventUpdate(doc: Pick<TargetCounterDoc, 'minutes'> | null | undefined, now: Date) {
  const first = minuteOf(now) - WINDOW_MINUTES + 1;
  const stale = Object.keys(doc?.minutes ?? {}).filter((k) => Number(k.slice(1)) < first);
  return {
    $inc: { [`minutes.m${minuteOf(now)}`]: 1 },
    ...(stale.length ? { $unset: Object.fromEntries(stale.map((k) => [`minutes.${k}`, ''])) } : {}),
  };
}

/** Counts one event for `id` and returns the count within the hour, this one included. */
export async function countEvent(db: Connection, id: string, now: Date): Promise<number> {
  const counters = targetCounterModel(db);
  const after = await counters.findOneAndUpdate({ _id: id }, countEventUpdate(null, now), { upsert: true, returnDocument: 'after' }).lean();
  // Buckets older than the hour are dropped afterwards, only when there are any (one more update, rarely).
  const stale = countEventUpdate(after, now).$unset;
  if (stale) await counters.updateOne({ _id: id }, { $unset: stale });
  return countWithinHour(after, now);
}

/**
 * Counts one event for `id` unless `max` are already counted within the hour. Atomic however many
 * instances count at once: each increment sees its own count, and one over `max` is taken back.
 */
export async function countEventUpTo(db: Connection, id: string, now: Date, max: number): Promise<{ counted: boolean; count: number }> {
  const count = await countEvent(db, id, now);
  if (count <= max) return { counted: true, count };
  await uncountEvent(db, id, now);
  return { counted: false, count: count - 1 };
}

/** Takes back an event counted at `now` (it did not happen after all: the call was never placed). */
export async function uncountEvent(db: Connection, id: string, now: Date): Promise<void> {
  await targetCounterModel(db).updateOne({ _id: id }, { $inc: { [`minutes.m${minuteOf(now)}`]: -1 } });
}

/** Several counters by _id, one indexed $in (the config cache batches the incoming webhooks' reads). */
export async function findCounters(db: Connection, ids: string[]): Promise<TargetCounterDoc[]> {
  const docs = await targetCounterModel(db)
    .find({ _id: { $in: [...new Set(ids)] } })
    .lean();
  return docs.map((d) => ({ _id: d._id, minutes: d.minutes }));
}
