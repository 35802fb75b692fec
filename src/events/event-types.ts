/**
 * The events a subscriber may ask for (a contract: the names are the issue's). `ORDER_RANK` places
 * events that carry the same time in a call's life order, so per-call delivery order never depends on
 * a clock's resolution.
 */
export const EVENT_TYPES = ['callback.queued', 'callback.placed', 'callback.answered', 'callback.failed', 'call.completed', 'credit.low'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const ORDER_RANK: Record<EventType, number> = {
  'callback.queued': 0,
  'callback.placed': 1,
  'callback.answered': 2,
  'credit.low': 3,
  'callback.failed': 4,
  'call.completed': 5,
};

/** The delivery order of an event within its call: its time, then its rank (a number safe as a double). */
export function deliveryOrder(type: EventType, at: Date): number {
  return at.getTime() * 10 + ORDER_RANK[type];
}

/** The id a receiver deduplicates on: the same event emitted again (a retried webhook) has the same id. */
export function eventId(type: EventType, subjectId: string, seq: number): string {
  return `evt_${subjectId}_${type}_${seq}`;
}
