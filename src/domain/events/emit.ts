import type { Connection, Types } from 'mongoose';
import { formatMoney } from '../../money';
import { deliveryOrder, eventId, type EventType } from '../../events/event-types';
import { storeDelivery } from './delivery-store';
import { subscriptionsFor, type Subscription } from './subscribers';

/**
 * Emitting an event stores one delivery per subscriber that asked for it (nothing at all when nobody
 * did: the subscriptions are cached configuration). Callers run it in the same round as the write of
 * the state it describes, never after: the delivery job checks, before sending, that the state was
 * really reached (./event-facts.ts), so an event stored beside a write that failed is never sent, and
 * one whose write succeeded is never lost.
 */
export interface CallEvent {
  type: Exclude<EventType, 'credit.low'>;
  clientId: Types.ObjectId;
  sessionId: Types.ObjectId;
  /** Tells repeated events of one call apart (the attempt for placed/answered; 0 when there is one per call). */
  seq: number;
  at: Date;
  data: Record<string, unknown>;
}

export async function emitCallEvent(db: Connection, ev: CallEvent): Promise<void> {
  const subs = await subscriptionsFor(db, ev.clientId, ev.type);
  if (subs.length === 0) return;
  const id = eventId(ev.type, String(ev.sessionId), ev.seq);
  const data = { callId: String(ev.sessionId), clientId: String(ev.clientId), ...ev.data };
  await Promise.all(subs.map((s) => store(db, s, { id, type: ev.type, clientId: ev.clientId, sessionId: ev.sessionId, subjectId: ev.sessionId, at: ev.at, data })));
}

interface Stored {
  id: string;
  type: EventType;
  clientId: Types.ObjectId;
  sessionId: Types.ObjectId;
  subjectId: Types.ObjectId;
  at: Date;
  data: Record<string, unknown>;
}

function store(db: Connection, s: Subscription, e: Stored) {
  return storeDelivery(db, {
    eventId: e.id,
    type: e.type,
    clientId: e.clientId,
    sessionId: e.sessionId,
    subjectId: e.subjectId,
    subscriber: s.subscriber,
    eventAt: e.at,
    order: deliveryOrder(e.type, e.at),
    data: e.data,
  });
}

export interface ChargeApplied {
  clientId: Types.ObjectId;
  sessionId: Types.ObjectId;
  /** The reservation settled (its charge's ledger entry has the same id): the event's identity. */
  reservationId: Types.ObjectId;
  charge: number;
  /** The balance the atomic update returned. */
  balanceAfter: number;
  currency: string;
  at: Date;
}

/** Whether this charge took the balance from at or above `threshold` to below it. */
export const crossesThreshold = (c: Pick<ChargeApplied, 'charge' | 'balanceAfter'>, threshold: number): boolean =>
  c.charge > 0 && c.balanceAfter < threshold && c.balanceAfter + c.charge >= threshold;

/** `credit.low` to each subscriber whose own threshold this charge crossed. */
export async function emitChargeApplied(db: Connection, c: ChargeApplied): Promise<void> {
  if (c.charge <= 0) return;
  const subs = (await subscriptionsFor(db, c.clientId, 'credit.low')).filter((s) => s.lowCreditThreshold !== null && crossesThreshold(c, s.lowCreditThreshold));
  if (subs.length === 0) return;
  const id = eventId('credit.low', String(c.reservationId), 0);
  await Promise.all(
    subs.map((s) =>
      store(db, s, {
        id,
        type: 'credit.low',
        clientId: c.clientId,
        sessionId: c.sessionId,
        subjectId: c.reservationId,
        at: c.at,
        data: {
          clientId: String(c.clientId),
          callId: String(c.sessionId),
          balance: formatMoney(c.balanceAfter),
          charge: formatMoney(c.charge),
          threshold: formatMoney(s.lowCreditThreshold!),
          currency: c.currency,
        },
      }),
    ),
  );
}
