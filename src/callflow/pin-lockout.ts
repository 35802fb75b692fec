import type { AppDeps } from '../deps';
import { lockOutTarget } from '../domain/call-sessions/lockouts';
import type { CallSessionDoc } from '../domain/call-sessions/sessions';
import { recordEvent } from '../domain/call-sessions/session-events';
import { countEvent, wrongPinCounterId } from '../domain/call-sessions/target-counters';
import { markConfigChanged } from '../domain/config-version';
import { loadFraudSettings } from '../domain/fraud-settings';

const LOCKOUT_MS = 60 * 60_000;

/**
 * Counts one wrong PIN for the session's target, whatever the session: at `maxWrongPinsPerTargetPerHour`
 * within an hour the target is locked out of the extension for an hour (reason `target-locked-out` on
 * its next calls). Returns true when it is locked out now.
 */
export async function countWrongPin(deps: AppDeps, s: Pick<CallSessionDoc, '_id' | 'extensionId' | 'target'>): Promise<boolean> {
  const db = deps.db;
  const now = deps.clock.now();
  const target = s.target;
  if (!target) return false;
  const [wrongPins, fraud] = await Promise.all([countEvent(db, wrongPinCounterId(target), now), loadFraudSettings(db)]);
  if (wrongPins < fraud.maxWrongPinsPerTargetPerHour) return false;
  const until = new Date(now.getTime() + LOCKOUT_MS);
  await lockOutTarget(db, { extensionId: s.extensionId, target, until, failedSessions: wrongPins, createdAt: now });
  // Lockouts are part of the configuration the incoming webhook caches: every instance must see this one.
  await markConfigChanged(db);
  await recordEvent(db, s._id, now, 'target-locked-out', { until, wrongPins, limit: fraud.maxWrongPinsPerTargetPerHour });
  deps.logger.warn({ sessionId: String(s._id), extensionId: String(s.extensionId), wrongPins }, 'callback target locked out for an hour after repeated wrong PINs');
  return true;
}
