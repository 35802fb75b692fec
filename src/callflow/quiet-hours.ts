import { DateTime } from 'luxon';

/**
 * An extension's quiet hours: a requested or scheduled callback that falls inside them waits until they
 * end. `start` and `end` are local wall-clock times ("22:00", "07:00") in `timeZone` (IANA); a window
 * whose start is after its end spans midnight. Luxon does the zone arithmetic: a daylight-saving change
 * inside the window moves its end in UTC, and an end time that does not exist that day (the spring-forward
 * gap) is taken as the first moment after the gap.
 */
export interface QuietHours {
  start: string;
  end: string;
  timeZone: string;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight; null for a malformed time. */
export function minutesOf(hhmm: string): number | null {
  const m = HH_MM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

export function isTimeZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

/**
 * When the quiet hours that `at` falls in end; `at` itself when it is outside them (or there are none).
 * Pure: the same inputs always give the same instant.
 */
export function afterQuietHours(at: Date, q: QuietHours | null | undefined): Date {
  if (!q) return at;
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  if (start === null || end === null || start === end) return at;
  const local = DateTime.fromJSDate(at, { zone: q.timeZone });
  if (!local.isValid) return at;
  const now = local.hour * 60 + local.minute;
  const spansMidnight = start > end;
  const inside = spansMidnight ? now >= start || now < end : now >= start && now < end;
  if (!inside) return at;
  // The end is today, unless the window started today and ends after midnight.
  const endDay = spansMidnight && now >= start ? local.plus({ days: 1 }) : local;
  const ends = endDay.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  return ends.toJSDate();
}
