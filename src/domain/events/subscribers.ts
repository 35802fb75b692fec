import type { Connection, Types } from 'mongoose';
import { clientModel } from '../../../models/client';
import { OPERATOR_WEBHOOK_ID, operatorWebhookModel, type StoredWebhook } from '../../../models/webhook-settings';
import type { EventType } from '../../events/event-types';

/** Who wants a client's events: its own webhook and the operator's service-wide one. */
export interface Subscription {
  subscriber: 'client' | 'operator';
  events: ReadonlySet<string>;
  lowCreditThreshold: number | null;
}

interface Subscribers {
  operator: Subscription | null;
  clients: Map<string, Subscription>;
}

/**
 * Subscriptions are configuration: cached per connection and dropped when the config version token
 * changes (src/callflow/config-cache.ts tells us, on its refresh), so an event nobody asked for costs
 * no database command at all. Without a known token (no refresh yet, or no version document) nothing is
 * cached and each emission reads them, in parallel with the write it goes with.
 */
const caches = new WeakMap<Connection, { token: string | null | undefined; value: Promise<Subscribers> | null; loadedAt: number }>();
/**
 * Another instance's change reaches this one on its next refresh (an incoming call, a placement); an
 * instance that only answers status callbacks and steps meanwhile reads them again after this long.
 */
const MAX_AGE_MS = 30_000;

/** Called by the config cache on every refresh with the token it read, and by a configuration write. */
export function noteConfigToken(db: Connection, token: string | null): void {
  const c = caches.get(db);
  if (!c || c.token !== token) caches.set(db, { token, value: null, loadedAt: 0 });
}

const asSubscription = (subscriber: Subscription['subscriber'], w: Pick<StoredWebhook, 'events' | 'lowCreditThreshold'>): Subscription => ({
  subscriber,
  events: new Set(w.events),
  lowCreditThreshold: w.lowCreditThreshold ?? null,
});

/** Clients are few (tenants): one query for all those with a webhook, one for the operator's. */
async function load(db: Connection): Promise<Subscribers> {
  const [clients, operator] = await Promise.all([
    clientModel(db)
      .find({ webhook: { $ne: null } }, { webhook: 1 })
      .lean(),
    operatorWebhookModel(db).findById(OPERATOR_WEBHOOK_ID, { webhook: 1 }).lean(),
  ]);
  return {
    operator: operator?.webhook ? asSubscription('operator', operator.webhook) : null,
    clients: new Map(clients.filter((c) => c.webhook).map((c) => [String(c._id), asSubscription('client', c.webhook!)])),
  };
}

function subscribers(db: Connection): Promise<Subscribers> {
  const c = caches.get(db);
  if (!c?.token) return load(db);
  // Real time, not the injected clock: this bounds how stale a cache may be, not when a call happens.
  if (!c.value || Date.now() - c.loadedAt > MAX_AGE_MS) {
    const value = load(db);
    c.value = value;
    c.loadedAt = Date.now();
    // A failed load is not remembered.
    value.catch(() => {
      if (c.value === value) c.value = null;
    });
  }
  return c.value;
}

/** The subscriptions of `clientId`'s events that ask for `type`. */
export async function subscriptionsFor(db: Connection, clientId: Types.ObjectId, type: EventType): Promise<Subscription[]> {
  const s = await subscribers(db);
  return [s.clients.get(String(clientId)), s.operator].filter((x): x is Subscription => x?.events.has(type) === true);
}
