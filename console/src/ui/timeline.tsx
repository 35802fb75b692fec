import { buildTimeline, type TimelineEvent } from '../timeline-model';

const W = 900;
const LEFT = 110;
const LANE = 70;
const CHAR = 6; // approximate width of a label character at 11px
const TOP = 30;
const COLOR = { ring: '#8aa4c8', attempt: '#e0b050', answered: '#5aa469', dial: '#3b7dd8', failed: '#c85a5a' };
const MARK = { ok: '#2e7d32', bad: '#c62828', info: '#555' };

/** The call's timeline as a picture: one lane per leg on one time axis (seconds since the ring). */
export function TimelinePicture({ events }: { events: TimelineEvent[] }) {
  const t = buildTimeline(events);
  const span = t.end - t.start;
  const x = (ms: number) => LEFT + ((ms - t.start) / span) * (W - LEFT - 20);
  const height = TOP + t.lanes.length * LANE + 30;
  const ticks = niceTicks(span / 1000);
  const summary = t.lanes.map((l) => `${l.name}: ${l.bars.map((b) => b.label).join(', ') || 'none'}`).join('; ');
  return (
    <svg class="timeline" viewBox={`0 0 ${W} ${height}`} role="img" aria-label={`Timeline. ${summary}`} data-lanes={t.lanes.filter((l) => l.bars.length).length}>
      {t.lanes.map((lane, i) => {
        const y = TOP + i * LANE;
        return (
          <g key={lane.name} class="lane" data-lane={lane.name}>
            <text x={8} y={y + 22} class="lane-name">
              {lane.name}
            </text>
            <line x1={LEFT} x2={W - 20} y1={y + 18} y2={y + 18} stroke="#ddd" />
            {lane.bars.map((b, j) => {
              const width = Math.max(3, x(b.to) - x(b.from));
              // Labels of short bars go on a second row so neighbours do not overwrite each other.
              const row = width >= b.label.length * CHAR || j % 2 === 1 ? 0 : 11;
              return (
                <g key={j} class={`bar bar-${b.kind}`}>
                  <rect x={x(b.from)} y={y + 8} width={width} height={20} rx={3} fill={COLOR[b.kind]}>
                    <title>{`${b.label} (${((b.to - b.from) / 1000).toFixed(1)} s)`}</title>
                  </rect>
                  <text x={x(b.from) + 2} y={y + 40 + row} class="bar-label">
                    {b.label}
                  </text>
                </g>
              );
            })}
            {lane.markers.map((m, j) => (
              <g key={`m${j}`} class="marker">
                <path d={`M ${x(m.at)} ${y + 6} l 5 -6 h -10 z`} fill={MARK[m.kind]}>
                  <title>{m.label}</title>
                </path>
                <line x1={x(m.at)} x2={x(m.at)} y1={y + 6} y2={y + 30} stroke={MARK[m.kind]} stroke-dasharray="2 2" />
                <text x={x(m.at) + 6} y={y - 2 - (j % 2) * 9} class="marker-label" fill={MARK[m.kind]}>
                  {m.label}
                </text>
              </g>
            ))}
          </g>
        );
      })}
      <g class="axis">
        {ticks.map((s) => (
          <g key={s}>
            <line x1={x(t.start + s * 1000)} x2={x(t.start + s * 1000)} y1={height - 28} y2={height - 22} stroke="#333" />
            <text x={x(t.start + s * 1000)} y={height - 8} text-anchor="middle">
              {s} s
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
}

function niceTicks(seconds: number): number[] {
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600].find((s) => seconds / s <= 8) ?? 7200;
  const out: number[] = [];
  for (let s = 0; s <= seconds; s += step) out.push(s);
  return out;
}
