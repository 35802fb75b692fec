import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Where a subscriber's events go. Kept on the client (`ClientDoc.webhook`) and, for the operator's
 * service-wide webhook, in one `operator_settings` document (`_id: "webhook"`). The signing secret must
 * be usable, so it is sealed (src/security/secret-box.ts), never stored in clear.
 */
export interface StoredWebhook {
  url: string;
  events: string[];
  /** credit.low: a charge that takes the balance below this (ten-thousandths); null: not asked for. */
  lowCreditThreshold: number | null;
  secretSealed: string;
}

export const storedWebhookSchema = new Schema<StoredWebhook>(
  {
    url: { type: String, required: true },
    events: { type: [String], default: [] },
    lowCreditThreshold: { type: Number, default: null },
    secretSealed: { type: String, required: true },
  },
  { _id: false },
);

export const OPERATOR_WEBHOOK_ID = 'webhook';

export interface OperatorWebhookDoc {
  _id: string;
  webhook: StoredWebhook | null;
  updatedAt: Date;
}

export const operatorWebhookSchema = new Schema<OperatorWebhookDoc>(
  {
    _id: { type: String, required: true },
    webhook: { type: storedWebhookSchema, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'operator_settings', versionKey: false },
);

export type OperatorWebhookModel = Model<OperatorWebhookDoc>;
export const operatorWebhookModel = (conn: Connection): OperatorWebhookModel =>
  (conn.models.OperatorWebhook as OperatorWebhookModel | undefined) ?? conn.model<OperatorWebhookDoc>('OperatorWebhook', operatorWebhookSchema);
