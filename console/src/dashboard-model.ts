/** Calls per hour by outcome and spend per day, from a list of calls (pure). */
export interface CallLike {
  createdAt: string;
  status: string;
  charge: string;
}
export const OUTCOMES = ['completed', 'refused', 'failed', 'other'] as const;

const outcomeOf = (status: string): (typeof OUTCOMES)[number] =>
  status === 'completed' ? 'completed' : status === 'refused' ? 'refused' : status === 'failed' || status === 'cancelled' ? 'failed' : 'other';

/** The last `hours` whole hours up to `now`: x in unix seconds, one count series per outcome. */
export function callsPerHour(calls: CallLike[], now: number, hours = 24): { x: number[]; series: Record<string, number[]> } {
  const hour = 3600_000;
  const first = Math.floor(now / hour) * hour - (hours - 1) * hour;
  const x = Array.from({ length: hours }, (_, i) => (first + i * hour) / 1000);
  const series = Object.fromEntries(OUTCOMES.map((o) => [o, x.map(() => 0)]));
  for (const c of calls) {
    const i = Math.floor((Date.parse(c.createdAt) - first) / hour);
    if (i >= 0 && i < hours) series[outcomeOf(c.status)]![i]! += 1;
  }
  return { x, series };
}

/** Spend per UTC day over the last `days` days, in the API's decimal strings summed in ten-thousandths. */
export function spendPerDay(calls: CallLike[], now: number, days = 14): { x: number[]; spend: number[] } {
  const day = 86_400_000;
  const first = Math.floor(now / day) * day - (days - 1) * day;
  const x = Array.from({ length: days }, (_, i) => (first + i * day) / 1000);
  const tenThousandths = x.map(() => 0);
  for (const c of calls) {
    const i = Math.floor((Date.parse(c.createdAt) - first) / day);
    if (i >= 0 && i < days) tenThousandths[i]! += toTenThousandths(c.charge);
  }
  return { x, spend: tenThousandths.map((v) => v / 10_000) };
}

export function toTenThousandths(s: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(s.trim());
  if (!m) return 0;
  const v = Number(m[2]) * 10_000 + Number((m[3] ?? '').padEnd(4, '0'));
  return m[1] ? -v : v;
}
