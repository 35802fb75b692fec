/**
 * Durations as a voice should say them ("1 hour and 5 minutes", "1 Stunde und 5 Minuten",
 * "2 godziny i 5 minut"): the units and their plural forms from Intl.NumberFormat's unit style, the
 * "and" from Intl.ListFormat, so every catalog says them the same way. Pure: no I/O.
 *
 * Floored to whole minutes: the announcement is a promise, and it must not be longer than the time
 * limit the call actually gets. Under a minute the catalog's own words ("less than a minute").
 */
const MINUTE = 60;
const HOUR = 3600;

const units = new Map<string, Intl.NumberFormat>();
const lists = new Map<string, Intl.ListFormat>();

function unit(locale: string, name: 'hour' | 'minute', n: number): string {
  const key = `${locale}|${name}`;
  let f = units.get(key);
  if (!f) units.set(key, (f = new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'long' })));
  // A no-break space between number and unit (French) becomes a plain one, as in the catalogs' text.
  return f
    .format(n)
    .replace(/[\u00a0\u202f](?=\D)/g, ' ')
    .replace(/\u202f/g, '\u00a0');
}

function and(locale: string, parts: string[]): string {
  let f = lists.get(locale);
  if (!f) lists.set(locale, (f = new Intl.ListFormat(locale, { type: 'conjunction', style: 'long' })));
  return f.format(parts);
}

export function spokenTime(locale: string, lessThanAMinute: string, seconds: number): string {
  if (Number.isNaN(seconds)) throw new RangeError('duration must be a number of seconds');
  if (seconds < MINUTE) return lessThanAMinute;
  const totalMinutes = Math.floor(Math.min(seconds, Number.MAX_SAFE_INTEGER) / MINUTE);
  const hours = Math.floor(totalMinutes / (HOUR / MINUTE));
  const minutes = totalMinutes % (HOUR / MINUTE);
  const parts = [...(hours ? [unit(locale, 'hour', hours)] : []), ...(minutes ? [unit(locale, 'minute', minutes)] : [])];
  return and(locale, parts);
}
