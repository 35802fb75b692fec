import type { Connection } from 'mongoose';
import { FRAUD_SETTINGS_ID, fraudSettingsModel } from '../../models/fraud-settings';
import { markConfigChanged } from './config-version';

/**
 * The operator-wide toll-fraud settings. `denyPrefixes` applies to every client's callback targets and
 * dialed destinations; the defaults are ranges nobody should reach through a callback service by
 * accident (README, "Toll fraud": why each one).
 */
export interface FraudSettings {
  denyPrefixes: string[];
  maxCallbacksPerTargetPerHour: number;
  maxWrongPinsPerTargetPerHour: number;
}

export const DEFAULT_DENY_PREFIXES: readonly string[] = [
  '+870', // Inmarsat (satellite)
  '+881', // Global Mobile Satellite System (Iridium, Globalstar, ...)
  '+882', // International Networks (shared codes of carriers and satellite services)
  '+883', // International Networks (more shared codes)
  '+979', // International Premium Rate Service
  '+808', // International Shared Cost Service
];

export const DEFAULT_FRAUD_SETTINGS: FraudSettings = {
  denyPrefixes: [...DEFAULT_DENY_PREFIXES],
  maxCallbacksPerTargetPerHour: 10,
  maxWrongPinsPerTargetPerHour: 10,
};

export async function loadFraudSettings(db: Connection): Promise<FraudSettings> {
  const doc = await fraudSettingsModel(db).findById(FRAUD_SETTINGS_ID).lean();
  if (!doc) return { ...DEFAULT_FRAUD_SETTINGS, denyPrefixes: [...DEFAULT_FRAUD_SETTINGS.denyPrefixes] };
  return { denyPrefixes: doc.denyPrefixes, maxCallbacksPerTargetPerHour: doc.maxCallbacksPerTargetPerHour, maxWrongPinsPerTargetPerHour: doc.maxWrongPinsPerTargetPerHour };
}

/** Merges a change onto the current settings; every instance sees it on its next webhook. */
export async function updateFraudSettings(db: Connection, patch: Partial<FraudSettings>, now: Date): Promise<FraudSettings> {
  const merged = { ...(await loadFraudSettings(db)), ...patch };
  await fraudSettingsModel(db).updateOne({ _id: FRAUD_SETTINGS_ID }, { $set: { ...merged, updatedAt: now } }, { upsert: true });
  await markConfigChanged(db);
  return merged;
}
