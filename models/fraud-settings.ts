import { Schema, type Connection, type Model } from 'mongoose';

/** The operator's toll-fraud settings: one document (`_id: "fraud"`); absent means the defaults. */
export const FRAUD_SETTINGS_ID = 'fraud';

export interface FraudSettingsDoc {
  _id: string;
  denyPrefixes: string[];
  maxCallbacksPerTargetPerHour: number;
  maxWrongPinsPerTargetPerHour: number;
  updatedAt: Date;
}

export const fraudSettingsSchema = new Schema<FraudSettingsDoc>(
  {
    _id: { type: String, required: true },
    denyPrefixes: { type: [String], default: [] },
    maxCallbacksPerTargetPerHour: { type: Number, required: true },
    maxWrongPinsPerTargetPerHour: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'operator_settings', versionKey: false },
);

export type FraudSettingsModel = Model<FraudSettingsDoc>;
export const fraudSettingsModel = (conn: Connection): FraudSettingsModel =>
  (conn.models.FraudSettings as FraudSettingsModel | undefined) ?? conn.model<FraudSettingsDoc>('FraudSettings', fraudSettingsSchema);
