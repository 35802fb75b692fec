import { MONEY_SCALE } from '../../money';
import { minorUnits } from '../../currencies';
import { integerText, pluralForm, type PluralForms } from './plural';

/**
 * Amounts as a voice should say them, in the catalog's language. Pure: no I/O.
 *
 * - The number and the currency's name come from Intl: `NumberFormat` with `currencyDisplay: "name"`
 *   gives the name in the plural form the number needs ("1 euro", "5 złotych polskich", "22 złote
 *   polskie"), which `DisplayNames` cannot (it gives one nominative form only, "złoty polski").
 * - A fraction is said as the minor unit ("12 euros et 50 centimes") where the catalog names that
 *   currency's minor unit; CLDR has no names for minor units, so those few words are written per
 *   catalog, with their plural forms chosen by `PluralRules` (Polish grosz / grosze / groszy).
 *   Other currencies are read as a decimal number with the name ("12,50 francs suisses").
 * - Hand-written exceptions (`catalog.currencyNames`): the catalog's home currency without the
 *   country ("10 złotych", not "10 złotych polskich"), and English "dollars" for USD/CAD/AUD, because
 *   an engine may read the capital "US" of CLDR's "US dollars" as the word "us".
 *
 * The amount is floored to the currency's minor unit: a credit is never said as more than it is.
 */
export interface MoneyWords {
  /** BCP 47 locale for Intl (the catalog's language). */
  locale: string;
  /** "and", "et", "und": between the major and the minor amount. */
  and: string;
  minus: string;
  /** The minor unit's name per currency, where the language has one the voice should say. */
  minorNames: Readonly<Record<string, PluralForms>>;
  /** Currency names said differently from CLDR's (see above). */
  currencyNames: Readonly<Record<string, PluralForms>>;
}

export interface Money {
  /** Integer ten-thousandths of the currency's major unit (src/money.ts). */
  amount: number;
  /** An ISO 4217 code the API accepts (src/currencies.ts). */
  currency: string;
}

export function spokenAmount(words: MoneyWords, money: Money): string {
  if (!Number.isSafeInteger(money.amount)) throw new RangeError(`money must be an integer count of ten-thousandths, got ${money.amount}`);
  const code = money.currency.trim().toUpperCase();
  const known = minorUnits(code);
  if (known === undefined) return unknownCurrency(words, code, money.amount);
  const digits = known;
  const perMinor = MONEY_SCALE / 10 ** digits;
  const minor = Math.floor(money.amount / perMinor);
  const abs = Math.abs(minor);
  const whole = Math.trunc(abs / 10 ** digits);
  const rest = abs % 10 ** digits;
  const text = rest === 0 ? major(words, code, whole) : withFraction(words, code, whole, rest, digits);
  return minor < 0 ? `${words.minus} ${text}` : text;
}

function withFraction(words: MoneyWords, code: string, whole: number, rest: number, digits: number): string {
  const minorName = words.minorNames[code];
  if (minorName) {
    const cents = `${integerText(words.locale, rest)} ${pluralForm(words.locale, rest, minorName)}`;
    // "0 dollars and 50 cents" is a mouthful; below one unit the cents alone say it.
    return whole === 0 ? cents : `${major(words, code, whole)} ${words.and} ${cents}`;
  }
  const value = whole + rest / 10 ** digits;
  const name = nameOverride(words, code);
  if (name) return `${decimalText(words.locale, value, digits)} ${name.other}`;
  return formatter(words.locale, code, digits)
    .format(value)
    .replace(/\u202f/g, '\u00a0');
}

function major(words: MoneyWords, code: string, whole: number): string {
  const name = nameOverride(words, code);
  if (name) return `${integerText(words.locale, whole)} ${pluralForm(words.locale, whole, name)}`;
  return formatter(words.locale, code, 0)
    .format(whole)
    .replace(/\u202f/g, '\u00a0');
}

/**
 * A code the API does not accept (only possible in data written by hand): the whole units, then the
 * code's letters one by one ("12 Z Z Z"), which an engine would otherwise try to read as a word.
 */
function unknownCurrency(words: MoneyWords, code: string, amount: number): string {
  const whole = Math.floor(amount / MONEY_SCALE);
  const letters = code
    .replace(/[^A-Z]/g, '')
    .split('')
    .join(' ');
  const text = `${integerText(words.locale, Math.abs(whole))}${letters ? ` ${letters}` : ''}`;
  return whole < 0 ? `${words.minus} ${text}` : text;
}

const displayNames = new Map<string, Intl.DisplayNames>();

/**
 * The catalog's own name for the currency, or, for the few ISO codes this Node's ICU has no name for
 * (fund codes such as VED in older ICU), the code's letters one by one.
 */
function nameOverride(words: MoneyWords, code: string): PluralForms | undefined {
  const own = words.currencyNames[code];
  if (own) return own;
  let d = displayNames.get(words.locale);
  if (!d) displayNames.set(words.locale, (d = new Intl.DisplayNames([words.locale], { type: 'currency', fallback: 'none' })));
  return d.of(code) === undefined ? { other: code.split('').join(' ') } : undefined;
}

const formatters = new Map<string, Intl.NumberFormat>();
function formatter(locale: string, code: string, digits: number): Intl.NumberFormat {
  const key = `${locale}|${code}|${digits}`;
  let f = formatters.get(key);
  if (!f) {
    // At least two decimals ("1.50", not "1.5"), no trailing zeros past them (KWD "0.01", not "0.010").
    const opts: Intl.NumberFormatOptions = {
      style: 'currency',
      currency: code,
      currencyDisplay: 'name',
      minimumFractionDigits: Math.min(2, digits),
      maximumFractionDigits: digits,
    };
    formatters.set(key, (f = new Intl.NumberFormat(locale, opts)));
  }
  return f;
}

const decimals = new Map<string, Intl.NumberFormat>();
function decimalText(locale: string, value: number, digits: number): string {
  const key = `${locale}|${digits}`;
  let f = decimals.get(key);
  if (!f) decimals.set(key, (f = new Intl.NumberFormat(locale, { minimumFractionDigits: Math.min(2, digits), maximumFractionDigits: digits })));
  return f.format(value).replace(/\u202f/g, '\u00a0');
}
