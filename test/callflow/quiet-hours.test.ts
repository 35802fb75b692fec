import assert from 'node:assert/strict';
import { afterQuietHours, isTimeZone, minutesOf } from '../../src/callflow/quiet-hours';

const night = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };
const at = (iso: string) => new Date(iso);

describe('quiet hours', () => {
  it('when there are none, or the time is outside them, then the callback keeps its time', () => {
    assert.equal(afterQuietHours(at('2026-06-10T12:00:00Z'), null).toISOString(), '2026-06-10T12:00:00.000Z');
    // 20:59 in Berlin (summer, UTC+2) is before the window.
    assert.equal(afterQuietHours(at('2026-06-10T18:59:00Z'), night).toISOString(), '2026-06-10T18:59:00.000Z');
    // 07:00 local is the end: no longer quiet.
    assert.equal(afterQuietHours(at('2026-06-10T05:00:00Z'), night).toISOString(), '2026-06-10T05:00:00.000Z');
  });

  it('when a window over midnight has started this evening, then it ends the next morning, local time', () => {
    // 23:30 Berlin summer time -> 07:00 the next day = 05:00Z.
    assert.equal(afterQuietHours(at('2026-06-10T21:30:00Z'), night).toISOString(), '2026-06-11T05:00:00.000Z');
  });

  it('when it is after midnight inside the window, then it ends this morning', () => {
    // 03:00 Berlin winter time (UTC+1) -> 07:00 = 06:00Z the same day.
    assert.equal(afterQuietHours(at('2026-01-15T02:00:00Z'), night).toISOString(), '2026-01-15T06:00:00.000Z');
  });

  it('when the clocks change during the night, then the end is 07:00 of the new offset', () => {
    // Berlin moves to summer time on 2026-03-29 at 02:00. 23:00 the evening before (UTC+1) is quiet;
    // 07:00 the next morning is UTC+2, so 05:00Z, not 06:00Z.
    assert.equal(afterQuietHours(at('2026-03-28T22:00:00Z'), night).toISOString(), '2026-03-29T05:00:00.000Z');
  });

  it('when the window ends at a time the spring-forward gap skips, then it ends at the first moment after the gap', () => {
    const gap = { start: '01:00', end: '02:30', timeZone: 'Europe/Berlin' };
    // 01:30 local (UTC+1) on the night of the change; 02:30 does not exist that day: 03:30 local = 01:30Z.
    const ends = afterQuietHours(at('2026-03-29T00:30:00Z'), gap);
    assert.ok(ends.getTime() > at('2026-03-29T00:30:00Z').getTime());
    assert.equal(ends.toISOString(), '2026-03-29T01:30:00.000Z');
  });

  it('when the window is within one day, then only times inside it move', () => {
    const lunch = { start: '12:00', end: '13:30', timeZone: 'America/New_York' };
    // 12:15 in New York (UTC-5) -> 13:30 = 18:30Z.
    assert.equal(afterQuietHours(at('2026-01-15T17:15:00Z'), lunch).toISOString(), '2026-01-15T18:30:00.000Z');
    assert.equal(afterQuietHours(at('2026-01-15T16:59:00Z'), lunch).toISOString(), '2026-01-15T16:59:00.000Z');
  });

  it('when times and zones are checked, then malformed ones are told apart', () => {
    assert.equal(minutesOf('07:05'), 425);
    assert.equal(minutesOf('24:00'), null);
    assert.equal(minutesOf('7:00'), null);
    assert.equal(isTimeZone('Europe/Berlin'), true);
    assert.equal(isTimeZone('Mars/Olympus'), false);
  });
});
