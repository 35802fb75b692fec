import assert from 'node:assert/strict';
import { callsPerHour, spendPerDay, toTenThousandths } from '../../console/src/dashboard-model';
import { buildTimeline, type TimelineEvent } from '../../console/src/timeline-model';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + s * 1000).toISOString();
const ev = (s: number, event: string, detail: Record<string, unknown> = {}): TimelineEvent => ({ at: at(s), event, detail });

describe('console models (pure)', () => {
  it('when a callback was busy once and answered on the second attempt, then the callback lane holds a failed attempt, an attempt and the answered bar', () => {
    const t = buildTimeline([
      ev(0, 'incoming'),
      ev(0, 'decision', { callback: true }),
      ev(5, 'inbound-status', { status: 'busy' }),
      ev(8, 'callback-placed', { attempt: 1 }),
      ev(20, 'callback-status', { status: 'busy' }),
      ev(50, 'callback-placed', { attempt: 2 }),
      ev(56, 'callback-answered'),
      ev(60, 'password-rejected'),
      ev(64, 'password-accepted'),
      ev(70, 'dial', { destination: '+442071838750' }),
      ev(130, 'dial-ended', { status: 'completed', duration: 58, charge: '0.02' }),
      ev(131, 'session-ended', { reason: 'dial-completed' }),
    ]);
    const [inbound, callback, dial] = t.lanes;
    assert.deepEqual(
      inbound!.bars.map((b) => [b.kind, (b.to - b.from) / 1000]),
      [['ring', 5]],
    );
    assert.deepEqual(
      callback!.bars.map((b) => [b.kind, b.label, (b.to - b.from) / 1000]),
      [
        ['failed', 'attempt 1: busy', 12],
        ['attempt', 'attempt 2', 6],
        ['answered', 'answered', 75],
      ],
    );
    assert.deepEqual(
      callback!.markers.map((m) => [m.label, m.kind]),
      [
        ['PIN wrong', 'bad'],
        ['PIN accepted', 'ok'],
        ['ended', 'info'],
      ],
    );
    assert.deepEqual(
      dial!.bars.map((b) => [b.kind, b.label]),
      [['dial', '+442071838750 completed, 58 s']],
    );
    assert.deepEqual(
      dial!.markers.map((m) => m.label),
      ['charge 0.02'],
    );
    assert.equal((t.end - t.start) / 1000, 131);
  });

  it('when a caller is refused, then the inbound lane shows the ring and a bad decision marker, and no other lane has bars', () => {
    const t = buildTimeline([ev(0, 'incoming'), ev(0, 'decision', { callback: false, reason: 'caller-not-authorized' }), ev(5, 'inbound-status', { status: 'busy' })]);
    assert.deepEqual(t.lanes[0]!.markers, [{ at: Date.parse(at(0)), label: 'refused: caller-not-authorized', kind: 'bad' }]);
    assert.equal(t.lanes[1]!.bars.length + t.lanes[2]!.bars.length, 0);
  });

  it('when calls span hours and days, then they are counted per hour by outcome and their charges summed per day to the ten-thousandth', () => {
    const now = Date.UTC(2026, 0, 10, 12, 30);
    const calls = [
      { createdAt: new Date(Date.UTC(2026, 0, 10, 12, 5)).toISOString(), status: 'completed', charge: '0.0125' },
      { createdAt: new Date(Date.UTC(2026, 0, 10, 12, 10)).toISOString(), status: 'refused', charge: '0' },
      { createdAt: new Date(Date.UTC(2026, 0, 10, 11, 59)).toISOString(), status: 'cancelled', charge: '0.10' },
      { createdAt: new Date(Date.UTC(2026, 0, 9, 1, 0)).toISOString(), status: 'completed', charge: '1.0001' },
      { createdAt: new Date(Date.UTC(2025, 11, 1)).toISOString(), status: 'completed', charge: '9' },
    ];
    const h = callsPerHour(calls, now);
    assert.equal(h.x.length, 24);
    assert.deepEqual([h.series.completed!.at(-1), h.series.refused!.at(-1), h.series.failed!.at(-2)], [1, 1, 1]);
    assert.equal(
      h.series.completed!.reduce((a, b) => a + b, 0),
      1,
      'yesterday 01:00 is outside the last 24 hours',
    );
    const d = spendPerDay(calls, now);
    assert.deepEqual([d.spend.at(-1), d.spend.at(-2)], [0.1125, 1.0001]);
    assert.equal(d.spend.reduce((a, b) => a + b, 0).toFixed(4), '1.1126', 'December is outside the 14 days');
    assert.deepEqual(['0.0125', '-2.5', '3', 'x'].map(toTenThousandths), [125, -25000, 30000, 0]);
  });
});
