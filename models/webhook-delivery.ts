import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * One event for one subscriber (a client's own webhook, or the operator's service-wide one): the event
 * itself (`eventId`, `type`, `data`, `eventAt`) and the state of its delivery. Its `_id` is derived from
 * the event id and the subscriber (src/domain/events/delivery-store.ts), so an event emitted twice (a
 * retried webhook) is stored once, and its time part keeps the list in time order.
 */
export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface WebhookDeliveryDoc {
  _id: Types.ObjectId;
  eventId: string;
  type: string;
  /** The tenant the event is about. */
  clientId: Types.ObjectId;
  /** The call it belongs to (events of one call are delivered in order to each subscriber). */
  sessionId: Types.ObjectId;
  /** `operator`, or `client` (the client's own webhook). */
  subscriber: 'client' | 'operator';
  eventAt: Date;
  /** Delivery order within a call: the event's time, then its place in a call's life. */
  order: number;
  data: Record<string, unknown>;
  /** The exact JSON body, fixed on the first attempt so every retry sends the same bytes. */
  body: string | null;
  state: DeliveryState;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  /** The URL of the last attempt (the subscriber's URL at that time). */
  url: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const webhookDeliverySchema = new Schema<WebhookDeliveryDoc>(
  {
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    clientId: { type: Schema.Types.ObjectId, required: true },
    sessionId: { type: Schema.Types.ObjectId, required: true },
    subscriber: { type: String, required: true },
    eventAt: { type: Date, required: true },
    order: { type: Number, required: true },
    data: { type: Schema.Types.Mixed, default: {} },
    body: { type: String, default: null },
    state: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    lastStatusCode: { type: Number, default: null },
    lastError: { type: String, default: null },
    lastAttemptAt: { type: Date, default: null },
    nextAttemptAt: { type: Date, default: null },
    deliveredAt: { type: Date, default: null },
    url: { type: String, default: null },
  },
  { collection: 'webhook_deliveries', versionKey: false, timestamps: true, minimize: false },
);
webhookDeliverySchema.index({ clientId: 1, _id: -1 });
webhookDeliverySchema.index({ sessionId: 1 });

export type WebhookDeliveryModel = Model<WebhookDeliveryDoc>;
export const webhookDeliveryModel = (conn: Connection): WebhookDeliveryModel =>
  (conn.models.WebhookDelivery as WebhookDeliveryModel | undefined) ?? conn.model<WebhookDeliveryDoc>('WebhookDelivery', webhookDeliverySchema);
