import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, type Schemas } from '../api';
import { callsPerHour, OUTCOMES, spendPerDay } from '../dashboard-model';
import { must, useLoad } from '../ui/load';

const COLORS: Record<string, string> = { completed: '#2e7d32', refused: '#c62828', failed: '#ef6c00', other: '#546e7a' };
const MAX_CALLS = 2000;

async function recentCalls(since: Date): Promise<Schemas['Call'][]> {
  const out: Schemas['Call'][] = [];
  let cursor: string | undefined;
  // Paged by count, not by time: at most MAX_CALLS calls are read for the charts.
  while (out.length < MAX_CALLS) {
    const page = must(await api.GET('/api/calls', { params: { query: { limit: 200, from: since.toISOString(), ...(cursor ? { cursor } : {}) } } }));
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

export function DashboardPage() {
  const now = Date.now();
  const calls = useLoad(() => recentCalls(new Date(now - 14 * 86_400_000)), []);
  const perHour = calls.data && callsPerHour(calls.data, now);
  const perDay = calls.data && spendPerDay(calls.data, now);
  return (
    <section>
      <h1>Dashboard</h1>
      {calls.error && <p class="form-error">{calls.error}</p>}
      {calls.data && <p>{calls.data.length} calls in the last 14 days.</p>}
      <h2>Calls per hour by outcome (last 24 hours, UTC)</h2>
      {perHour && (
        <Chart
          label={`Calls per hour: ${OUTCOMES.map((o) => `${o} ${perHour.series[o]!.reduce((a, b) => a + b, 0)}`).join(', ')}`}
          data={[perHour.x, ...OUTCOMES.map((o) => perHour.series[o]!)]}
          series={OUTCOMES.map((o) => ({ label: o, stroke: COLORS[o]!, fill: `${COLORS[o]!}33` }))}
          bars
        />
      )}
      <h2>Spend per day (last 14 days, UTC)</h2>
      {perDay && (
        <Chart
          label={`Spend per day, total ${perDay.spend.reduce((a, b) => a + b, 0).toFixed(4)}`}
          data={[perDay.x, perDay.spend]}
          series={[{ label: 'spend', stroke: '#3b7dd8', fill: '#3b7dd833' }]}
          bars
        />
      )}
    </section>
  );
}

function Chart(p: { label: string; data: number[][]; series: Array<{ label: string; stroke: string; fill: string }>; bars?: boolean }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const paths = p.bars ? uPlot.paths.bars!({ size: [0.8, 40] }) : undefined;
    const plot = new uPlot(
      {
        width: Math.min(900, el.current.clientWidth || 900),
        height: 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        series: [{}, ...p.series.map((s) => ({ ...s, paths, width: 1 }))],
        axes: [{}, { size: 50 }],
      },
      p.data as uPlot.AlignedData,
      el.current,
    );
    return () => plot.destroy();
  }, [JSON.stringify(p.data)]);
  return <div class="chart" ref={el} role="img" aria-label={p.label} />;
}
