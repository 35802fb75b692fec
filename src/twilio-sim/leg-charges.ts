import { setTimeout as delay } from 'node:timers/promises';

/**
 * What the service charged for each leg of a callback, read from its own call record
 * (`GET /api/calls/:id`) with an API key: the phone shows the money, not only the durations it reported.
 * The session id is the `session` parameter of the callback's answer URL (the service put it there).
 */

export interface LegCharge {
  leg: 'callback' | 'dial';
  destination: string;
  duration: number | null;
  charge: string | null;
  state: string;
}

/** The service's session id from the callback's `Url`, or null when it has none. */
export function sessionIdOf(answerUrl: string | undefined): string | null {
  if (!answerUrl) return null;
  try {
    return new URL(answerUrl).searchParams.get('session');
  } catch {
    return null;
  }
}

/**
 * The call record's charges once every leg is settled; the status callbacks that settle them are
 * posted just before, so a few looks (bounded by count) are enough. Throws with the HTTP status on error.
 */
export async function fetchLegCharges(serviceUrl: string, apiKey: string, sessionId: string, looks = 20): Promise<LegCharge[]> {
  let charges: LegCharge[] = [];
  for (let i = 0; i < looks; i++) {
    const res = await fetch(`${serviceUrl.replace(/\/$/, '')}/api/calls/${encodeURIComponent(sessionId)}`, {
      headers: { Authorization: `Bearer ${apiKey}` },
    });
    if (!res.ok) throw new Error(`GET /api/calls/${sessionId}: HTTP ${res.status}`);
    const body = (await res.json()) as { charges?: LegCharge[] };
    charges = body.charges ?? [];
    if (charges.every((c) => c.state === 'settled' || c.state === 'void')) return charges;
    await delay(250);
  }
  return charges;
}

/** One transcript line per leg: what it called, how long it was answered, what it cost. */
export function describeLegCharge(c: LegCharge, currency: string | null): string {
  const what = c.leg === 'callback' ? `callback leg to ${c.destination}` : `dial leg to ${c.destination}`;
  const amount = c.charge === null ? `not settled yet (${c.state})` : `${c.charge}${currency ? ` ${currency}` : ''}`;
  return `[callback] charged, ${what}: ${amount}${c.duration !== null ? ` for ${c.duration} s` : ''}`;
}
