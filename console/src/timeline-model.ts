/**
 * A call's story as lanes on one time axis (pure: events in, bars and markers out). The inbound lane holds
 * the held ring until the reject; the callback lane each attempt (ringing) and the answered conversation
 * with its PIN, menu and destination markers; the dial lane each dial with its result.
 */
export interface TimelineEvent {
  at: string;
  event: string;
  detail: Record<string, unknown>;
}
export interface Bar {
  from: number;
  to: number;
  label: string;
  kind: 'ring' | 'attempt' | 'answered' | 'dial' | 'failed';
}
export interface Marker {
  at: number;
  label: string;
  kind: 'ok' | 'bad' | 'info';
}
export interface Lane {
  name: string;
  bars: Bar[];
  markers: Marker[];
}
export interface Timeline {
  start: number;
  end: number;
  lanes: Lane[];
}

const MARKERS: Record<string, [string, Marker['kind']]> = {
  decision: ['decision', 'info'],
  'password-accepted': ['PIN accepted', 'ok'],
  'password-rejected': ['PIN wrong', 'bad'],
  'target-locked-out': ['locked out', 'bad'],
  'credit-query': ['menu: credit', 'info'],
  'destination-dialed': ['destination', 'info'],
  'destination-refused': ['destination refused', 'bad'],
  'dial-refused': ['dial refused', 'bad'],
  'callback-machine': ['machine', 'bad'],
  'callback-retry': ['retry', 'info'],
  'callback-retry-after-error': ['retry after error', 'bad'],
  'callback-gave-up': ['gave up', 'bad'],
  'callback-cancelled': ['cancelled', 'bad'],
  'callback-failed': ['failed', 'bad'],
  'session-ended': ['ended', 'info'],
  interrupted: ['interrupted', 'bad'],
};
const CALLBACK_END = new Set(['busy', 'no-answer', 'failed', 'canceled', 'completed']);

export function buildTimeline(events: TimelineEvent[]): Timeline {
  const ev = events.map((e) => ({ ...e, t: Date.parse(e.at) })).sort((a, b) => a.t - b.t);
  const start = ev[0]?.t ?? 0;
  const end = Math.max(start + 1000, ev.at(-1)?.t ?? start);
  const inbound: Lane = { name: 'Inbound call', bars: [], markers: [] };
  const callback: Lane = { name: 'Callback', bars: [], markers: [] };
  const dial: Lane = { name: 'Dial', bars: [], markers: [] };
  let ringFrom: number | null = null;
  let attempt: { from: number; n: number } | null = null;
  let answered: number | null = null;
  let dialing: { from: number; to: string } | null = null;
  const closeAnswered = (t: number) => {
    if (answered !== null) callback.bars.push({ from: answered, to: t, label: 'answered', kind: 'answered' });
    answered = null;
  };
  for (const e of ev) {
    const d = e.detail;
    if (e.event === 'incoming') ringFrom = e.t;
    else if (e.event === 'inbound-status' && ringFrom !== null) {
      inbound.bars.push({ from: ringFrom, to: e.t, label: `ring, then ${String(d.status ?? 'ended')}`, kind: 'ring' });
      ringFrom = null;
    } else if (e.event === 'callback-placed') {
      attempt = { from: e.t, n: Number(d.attempt ?? callback.bars.filter((b) => b.kind !== 'answered').length + 1) };
    } else if (e.event === 'callback-answered' && attempt) {
      callback.bars.push({ from: attempt.from, to: e.t, label: `attempt ${attempt.n}`, kind: 'attempt' });
      attempt = null;
      answered = e.t;
    } else if (e.event === 'callback-status' && CALLBACK_END.has(String(d.status))) {
      if (attempt) callback.bars.push({ from: attempt.from, to: e.t, label: `attempt ${attempt.n}: ${String(d.status)}`, kind: 'failed' });
      attempt = null;
      closeAnswered(e.t);
    } else if (e.event === 'dial') {
      dialing = { from: e.t, to: String(d.destination ?? d.to ?? '') };
    } else if (e.event === 'dial-ended') {
      const from = dialing?.from ?? e.t;
      const secs = d.duration === null || d.duration === undefined ? '' : `, ${String(d.duration)} s`;
      dial.bars.push({ from, to: e.t, label: `${dialing?.to ?? ''} ${String(d.status ?? '')}${secs}`.trim(), kind: d.status === 'completed' ? 'dial' : 'failed' });
      if (d.charge) dial.markers.push({ at: e.t, label: `charge ${String(d.charge)}`, kind: 'info' });
      dialing = null;
    }
    const m = MARKERS[e.event];
    if (m) {
      const lane = e.event === 'decision' ? inbound : e.event === 'dial-refused' ? dial : callback;
      const label = e.event === 'decision' ? (d.callback ? 'callback decided' : `refused: ${String(d.reason ?? '')}`) : m[0];
      lane.markers.push({ at: e.t, label, kind: e.event === 'decision' && !d.callback ? 'bad' : m[1] });
    }
    if (e.event === 'session-ended') closeAnswered(e.t);
  }
  // Still in progress: open bars run to the last event.
  if (ringFrom !== null) inbound.bars.push({ from: ringFrom, to: end, label: 'ringing', kind: 'ring' });
  if (attempt) callback.bars.push({ from: attempt.from, to: end, label: `attempt ${attempt.n}`, kind: 'attempt' });
  closeAnswered(end);
  if (dialing) dial.bars.push({ from: dialing.from, to: end, label: dialing.to, kind: 'dial' });
  return { start, end, lanes: [inbound, callback, dial] };
}
