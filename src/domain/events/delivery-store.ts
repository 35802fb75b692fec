import { createHash } from 'node:crypto';
import { Types, type Connection, type QueryFilter } from 'mongoose';
import { jobModel, type JobDoc } from '../../../models/job';
import { webhookDeliveryModel, type DeliveryState, type WebhookDeliveryDoc } from '../../../models/webhook-delivery';
import { insertBatched } from '../../db/batched-insert';
import { isDuplicateKey } from '../../db/duplicate-key';
import { paginate, type Page, type PageQuery } from '../pagination';
import type { TenantScope } from '../call-records';

export type { WebhookDeliveryDoc, DeliveryState };

/**
 * The store of event deliveries and their `deliver-event` jobs. A delivery's `_id` is derived from its
 * event id and subscriber (4 bytes of its subject's creation time: the call's, or the charge's, then 8 of
 * a hash), so every lookup is by `_id` (the embedded database's fast path), the same event emitted again,
 * however much later (a retried webhook), fails on it and is dropped, and the list's keyset pagination
 * runs in time order.
 */
export function deliveryId(eventId: string, subscriber: string, subject: Types.ObjectId): Types.ObjectId {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.max(0, Math.floor(subject.getTimestamp().getTime() / 1000)) >>> 0, 0);
  createHash('sha256').update(`${eventId}>${subscriber}`).digest().copy(bytes, 4, 0, 8);
  return new Types.ObjectId(bytes);
}

const subscriberKey = (d: Pick<WebhookDeliveryDoc, 'subscriber' | 'clientId'>) => (d.subscriber === 'operator' ? 'operator' : `client-${d.clientId}`);

/**
 * The job's key names its subscriber and delivery, both stable for an event, so the same event emitted
 * again queues no second job; the ordering check reads only the live jobs of the call (finished jobs are
 * removed) and their deliveries by `_id`, never a scan of the growing deliveries collection.
 */
export const deliveryJobKey = (d: Pick<WebhookDeliveryDoc, '_id' | 'subscriber' | 'clientId'>) => `deliver:${subscriberKey(d)}:${d._id}`;

export function parseDeliveryJobKey(key: string): { subscriber: string; id: Types.ObjectId } | null {
  const [kind, subscriber, id] = key.split(':');
  if (kind !== 'deliver' || !subscriber || !id || !Types.ObjectId.isValid(id)) return null;
  return { subscriber, id: new Types.ObjectId(id) };
}

type NewDelivery = Pick<WebhookDeliveryDoc, 'eventId' | 'type' | 'clientId' | 'sessionId' | 'subscriber' | 'eventAt' | 'order' | 'data'> & {
  /** What the event is about (the call, or the charge for credit.low): its id's time goes into the delivery's. */
  subjectId: Types.ObjectId;
};

/** The delivery and its job, each batched with the other inserts in flight; an event stored already is left as it is. */
export async function storeDelivery(db: Connection, { subjectId, ...d }: NewDelivery): Promise<void> {
  const _id = deliveryId(d.eventId, subscriberKey(d), subjectId);
  const doc = { _id, ...d, state: 'pending' as const, nextAttemptAt: d.eventAt };
  const results = await Promise.allSettled([
    insertBatched(db, webhookDeliveryModel(db), doc),
    insertBatched(db, jobModel(db), { key: deliveryJobKey(doc), type: 'deliver-event', sessionId: d.sessionId, dueAt: d.eventAt, state: 'queued' }),
  ]);
  for (const r of results) if (r.status === 'rejected' && !isDuplicateKey(r.reason)) throw r.reason;
}

export function findDelivery(db: Connection, id: Types.ObjectId): Promise<WebhookDeliveryDoc | null> {
  return webhookDeliveryModel(db).findById(id).lean().exec();
}

/**
 * The earliest live delivery job of the same call and subscriber whose event comes before `mine`
 * (null: none): the call's live jobs (a few), then their deliveries' order, by `_id`.
 */
export async function earlierLiveJob(db: Connection, job: Pick<JobDoc, '_id' | 'key' | 'sessionId'>, mine: Pick<WebhookDeliveryDoc, '_id' | 'order'>): Promise<JobDoc | null> {
  const own = parseDeliveryJobKey(job.key);
  if (!own) return null;
  const live = await jobModel(db)
    .find({ sessionId: job.sessionId, type: 'deliver-event', state: { $in: ['queued', 'running'] } })
    .limit(200)
    .lean();
  const others = live.flatMap((j) => {
    const k = parseDeliveryJobKey(j.key);
    return k && k.subscriber === own.subscriber && !k.id.equals(mine._id) ? [{ j, id: k.id }] : [];
  });
  if (others.length === 0) return null;
  const orders = await webhookDeliveryModel(db)
    .find({ _id: { $in: others.map((o) => o.id) }, state: 'pending' }, { order: 1 })
    .lean();
  const orderOf = new Map(orders.map((o) => [String(o._id), o.order]));
  const earlier = others
    .filter((o) => (orderOf.get(String(o.id)) ?? Number.POSITIVE_INFINITY) < mine.order)
    .sort((a, b) => orderOf.get(String(a.id))! - orderOf.get(String(b.id))!);
  return earlier[0]?.j ?? null;
}

/** Fixes the body (first attempt) or records an attempt's outcome; only while the delivery is pending. */
export async function updateDelivery(db: Connection, id: Types.ObjectId, set: Partial<WebhookDeliveryDoc>, attempted = false): Promise<void> {
  await webhookDeliveryModel(db).updateOne({ _id: id, state: 'pending' }, { $set: set, ...(attempted ? { $inc: { attempts: 1 } } : {}) });
}

export interface DeliveryListFilter {
  clientId?: Types.ObjectId | undefined;
  subscriber?: 'client' | 'operator' | undefined;
  state?: DeliveryState | undefined;
  type?: string | undefined;
  sessionId?: Types.ObjectId | undefined;
}

/**
 * Deliveries, newest first, a page at a time. A client key sees only the deliveries to its own webhook
 * (`scope.clientId` forces subscriber "client" of that client); the operator sees all.
 */
export async function listDeliveries(db: Connection, scope: TenantScope, filter: DeliveryListFilter, page: PageQuery): Promise<Page<WebhookDeliveryDoc>> {
  if (scope.clientId && ((filter.clientId && !filter.clientId.equals(scope.clientId)) || filter.subscriber === 'operator')) return { items: [], nextCursor: null };
  const q: QueryFilter<WebhookDeliveryDoc> = {
    ...(filter.clientId ? { clientId: filter.clientId } : {}),
    ...(scope.clientId ? { clientId: scope.clientId, subscriber: 'client' } : {}),
    ...(filter.subscriber && !scope.clientId ? { subscriber: filter.subscriber } : {}),
    ...(filter.state ? { state: filter.state } : {}),
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.sessionId ? { sessionId: filter.sessionId } : {}),
  };
  return paginate(webhookDeliveryModel(db), q, page, { project: { body: 0 } });
}
