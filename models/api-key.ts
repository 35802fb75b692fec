import { Schema, type Types, type Connection, type Model } from 'mongoose';

/** An API key: only its SHA-256 hash is stored. `role: admin` keys are the operator's. */
export interface ApiKeyDoc {
  _id: Types.ObjectId;
  hash: string;
  prefix: string;
  role: 'admin' | 'client';
  clientId: Types.ObjectId | null;
  name: string | null;
  createdAt: Date;
}

export const apiKeySchema = new Schema<ApiKeyDoc>(
  {
    hash: { type: String, required: true, unique: true },
    prefix: { type: String, required: true },
    role: { type: String, enum: ['admin', 'client'], required: true },
    clientId: { type: Schema.Types.ObjectId, default: null, index: true },
    name: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'api_keys', versionKey: false },
);

export type ApiKeyModel = Model<ApiKeyDoc>;
export const apiKeyModel = (conn: Connection): ApiKeyModel => (conn.models.ApiKey as ApiKeyModel | undefined) ?? conn.model<ApiKeyDoc>('ApiKey', apiKeySchema);
