import { MONEY_SCALE } from '../money';

/**
 * Amounts and durations as text for <Say>. A text-to-speech engine reads "12 dollars and 50 cents"
 * correctly in every voice, while "$12.50" or "12.50 USD" come out differently per engine
 * ("twelve point five zero", "twelve dollars fifty", "U S D"...).
 *
 * Pure: no I/O, no clock.
 */

interface CurrencyWords {
  major: { one: string; many: string };
  minor: { one: string; many: string };
}

const TEN_THOUSANDTHS_PER_CENT = MONEY_SCALE / 100;

/**
 * The currencies the configuration API accepts (src/api/schemas.ts). CAD and AUD are plain "dollars":
 * the caller hears their own client's balance and knows which dollars those are; "Canadian dollars"
 * only makes the sentence longer.
 */
const CURRENCY_WORDS: Readonly<Record<string, CurrencyWords>> = {
  USD: { major: { one: 'dollar', many: 'dollars' }, minor: { one: 'cent', many: 'cents' } },
  CAD: { major: { one: 'dollar', many: 'dollars' }, minor: { one: 'cent', many: 'cents' } },
  AUD: { major: { one: 'dollar', many: 'dollars' }, minor: { one: 'cent', many: 'cents' } },
  EUR: { major: { one: 'euro', many: 'euros' }, minor: { one: 'cent', many: 'cents' } },
  GBP: { major: { one: 'pound', many: 'pounds' }, minor: { one: 'penny', many: 'pence' } },
};

/**
 * "12 dollars and 50 cents", "1 penny", "minus 3 euros", "0 dollars".
 *
 * The amount is floored to a whole cent (toward minus infinity): a credit is never spoken as more than
 * it is, so 0.0005 is "0 dollars" and -0.0005 is "minus 1 cent". Telling a caller they have money they
 * lack is worse than understating it by a fraction of a cent.
 */
export function spokenMoney(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`money must be an integer count of ten-thousandths, got ${amount}`);
  const cents = Math.floor(amount / TEN_THOUSANDTHS_PER_CENT);
  const sign = cents < 0 ? 'minus ' : '';
  const whole = Math.trunc(Math.abs(cents) / 100);
  const rest = Math.abs(cents) % 100;
  return sign + joinParts(whole, rest, wordsFor(currency));
}

function joinParts(whole: number, rest: number, words: CurrencyWords): string {
  // "0 dollars and 50 cents" is a mouthful; below one unit the cents alone say it.
  if (whole === 0 && rest > 0) return count(rest, words.minor);
  if (rest === 0) return count(whole, words.major);
  return `${count(whole, words.major)} and ${count(rest, words.minor)}`;
}

/**
 * Unknown codes are spelled letter by letter ("Z A R") because an engine would otherwise try to read
 * the code as a word; the minor unit is named generically since we don't know its name.
 */
function wordsFor(currency: string): CurrencyWords {
  const code = currency.trim().toUpperCase();
  const known = CURRENCY_WORDS[code];
  if (known) return known;
  const letters = code.replace(/[^A-Z]/g, '').split('').join(' ');
  const unit = letters ? `${letters} unit` : 'unit';
  return {
    major: { one: unit, many: `${unit}s` },
    minor: { one: `hundredth of a ${unit}`, many: `hundredths of a ${unit}` },
  };
}

function count(n: number, noun: { one: string; many: string }): string {
  return `${groupThousands(n)} ${n === 1 ? noun.one : noun.many}`;
}

/**
 * Digits, grouped with commas from 1,000 up: English voices read "1,250" as a cardinal ("one thousand
 * two hundred fifty"), whereas a bare four-digit "1250" may be read like a year ("twelve fifty"). The
 * surrounding words are English, so the English separator is the right one for the voice.
 */
function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const MINUTE = 60;
const HOUR = 3600;

/**
 * "1 minute", "2 hours and 5 minutes", "less than a minute": for "you can talk for up to ...".
 * Floored to whole minutes: the announcement is a promise, and it must not be longer than the time
 * limit the call actually gets.
 */
export function spokenDuration(seconds: number): string {
  if (Number.isNaN(seconds)) throw new RangeError('duration must be a number of seconds');
  if (seconds < MINUTE) return 'less than a minute';
  const totalMinutes = Math.floor(Math.min(seconds, Number.MAX_SAFE_INTEGER) / MINUTE);
  const hours = Math.floor(totalMinutes / (HOUR / MINUTE));
  const minutes = totalMinutes % (HOUR / MINUTE);
  const hourText = count(hours, { one: 'hour', many: 'hours' });
  const minuteText = count(minutes, { one: 'minute', many: 'minutes' });
  if (hours === 0) return minuteText;
  if (minutes === 0) return hourText;
  return `${hourText} and ${minuteText}`;
}
