import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Events per callback target over the last hour, in one-minute buckets (`m<minute since epoch>` ->
 * count): callbacks placed to it (`callbacks:<target>`) and wrong PINs entered for it
 * (`wrong-pins:<target>`). Keyed by `_id` so the hot path reads it by its id only.
 */
export interface TargetCounterDoc {
  _id: string;
  minutes: Record<string, number>;
}

export const targetCounterSchema = new Schema<TargetCounterDoc>(
  { _id: { type: String, required: true }, minutes: { type: Schema.Types.Mixed, default: {} } },
  { collection: 'target_counters', versionKey: false, minimize: false },
);

export type TargetCounterModel = Model<TargetCounterDoc>;
export const targetCounterModel = (conn: Connection): TargetCounterModel =>
  (conn.models.TargetCounter as TargetCounterModel | undefined) ?? conn.model<TargetCounterDoc>('TargetCounter', targetCounterSchema);
