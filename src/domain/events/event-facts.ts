import type { Connection } from 'mongoose';
import { callSessionModel, type CallSessionDoc } from '../../../models/call-session';
import type { WebhookDeliveryDoc } from '../../../models/webhook-delivery';
import { formatMoney } from '../../money';
import { loadCall, type CallCharge } from '../call-records';

/**
 * What an event says, checked against the stored state before it is sent. Events are stored in the same
 * round as the write of the state they describe (./emit.ts), so that write may have failed, or lost its
 * condition to a concurrent one: an event whose state is not (yet) there waits a little, then is
 * dropped, never sent. `call.completed` waits for its legs' charges to be settled and carries them.
 */
export type EventFacts = { send: Record<string, unknown> } | { wait: string } | { drop: string };

/** How long an event waits for the state it describes (a retried webhook or a sweeper writes it late). */
export const CONFIRM_WINDOW_MS = 5 * 60_000;
/** How long call.completed waits for its legs' settlement (the sweeper settles a lost report within minutes). */
export const SETTLE_WINDOW_MS = 20 * 60_000;

type SessionFacts = Pick<CallSessionDoc, 'status' | 'timeline'>;

function hasEntry(s: SessionFacts, events: string[], detail: (d: Record<string, unknown>) => boolean): boolean {
  return (s.timeline ?? []).some((e) => events.includes(e.event) && detail(e.detail ?? {}));
}

/** Whether the session shows the state the event describes. */
export function stateReached(type: string, data: Record<string, unknown>, s: SessionFacts): boolean {
  switch (type) {
    case 'callback.queued':
      return true;
    case 'callback.placed':
      return hasEntry(s, ['callback-placed', 'callback-adopted'], (d) => d.attempt === data.attempt);
    case 'callback.answered':
      return hasEntry(s, ['callback-answered'], (d) => d.callSid === data.callSid);
    case 'callback.failed':
      // A requested callback cancelled before it was placed will not come either.
      return s.status === 'failed' || (s.status === 'cancelled' && data.reason === 'callback-cancelled');
    case 'call.completed':
      return s.status === 'completed';
    default:
      return true;
  }
}

const UNSETTLED = new Set(['reserving', 'held', 'settling']);

function presentCharges(charges: CallCharge[]) {
  return charges.map(({ reservation: r }) => ({
    leg: r.leg ?? 'dial',
    destination: r.destination,
    duration: r.duration ?? null,
    charge: r.state === 'settled' && r.charge !== null ? formatMoney(r.charge) : null,
    state: r.state,
  }));
}

export async function eventFacts(db: Connection, d: WebhookDeliveryDoc, now: Date): Promise<EventFacts> {
  if (d.type === 'credit.low') return { send: d.data };
  const age = now.getTime() - d.eventAt.getTime();
  if (d.type === 'call.completed') return completedFacts(db, d, age);
  const s = await callSessionModel(db).findById(d.sessionId, { status: 1, timeline: 1 }).lean();
  if (s && stateReached(d.type, d.data, s)) return { send: d.data };
  return age < CONFIRM_WINDOW_MS ? { wait: 'the state this event describes is not stored yet' } : { drop: 'the state this event describes was never reached' };
}

async function completedFacts(db: Connection, d: WebhookDeliveryDoc, age: number): Promise<EventFacts> {
  const call = await loadCall(db, { clientId: d.clientId }, d.sessionId).catch(() => null);
  if (!call || !stateReached(d.type, d.data, call.session)) {
    return age < CONFIRM_WINDOW_MS ? { wait: 'the call is not completed yet' } : { drop: 'the call never completed' };
  }
  const unsettled = call.charges.some((c) => UNSETTLED.has(c.reservation.state));
  if (unsettled && age < SETTLE_WINDOW_MS) return { wait: 'a leg of the call is not settled yet' };
  return { send: { ...d.data, charge: formatMoney(call.charge), charges: presentCharges(call.charges) } };
}
