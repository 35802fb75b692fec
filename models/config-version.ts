import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One document (`_id: 'config'`) whose token changes on every configuration write. Each instance caches
 * the configuration its webhooks read and drops the cache when the token differs: read by `_id`, so the
 * check costs one indexed lookup, shared by all the webhooks in flight. A random token rather than a
 * counter, so a database emptied and written again can never repeat an old value.
 */
export interface ConfigVersionDoc {
  _id: string;
  token: string;
  changedAt: Date;
}

export const configVersionSchema = new Schema<ConfigVersionDoc>(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
    changedAt: { type: Date, required: true },
  },
  { collection: 'config_versions', versionKey: false },
);

export type ConfigVersionModel = Model<ConfigVersionDoc>;
export const configVersionModel = (conn: Connection): ConfigVersionModel =>
  (conn.models.ConfigVersion as ConfigVersionModel | undefined) ?? conn.model<ConfigVersionDoc>('ConfigVersion', configVersionSchema);

export const CONFIG_VERSION_ID = 'config';
