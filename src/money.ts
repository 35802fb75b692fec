/**
 * Money is an integer count of ten-thousandths of the currency unit (1 USD = 10_000), never a float:
 * per-minute rates like 0.0125 are exact, and sums stay exact under concurrent $inc updates.
 * The API speaks decimal strings ("10.00", "0.0125").
 */
export const MONEY_SCALE = 10_000;
const MONEY_TEXT = /^(-)?(\d{1,12})(?:\.(\d{1,4}))?$/;

/**
 * The largest amount (absolute) any money field or balance holds: 999999999.9999 is 9,999,999,999,999
 * ten-thousandths, so even the sum of nine hundred such amounts is an exact integer (below 2^53).
 * Beyond 2^53 a double rounds: "999999999999.9999" would be stored as 1000000000000.00.
 */
export const MAX_MONEY = 9_999_999_999_999;
export const MAX_MONEY_TEXT = '999999999.9999';

function parseUnbounded(text: string): number | undefined {
  const m = MONEY_TEXT.exec(text.trim());
  if (!m) return undefined;
  const units = Number(m[2]) * MONEY_SCALE + Number((m[3] ?? '').padEnd(4, '0'));
  const value = m[1] ? -units : units;
  return Object.is(value, -0) ? 0 : value;
}

/** What is wrong with a money text, if anything: not a decimal amount, or beyond MAX_MONEY. */
export function moneyTextProblem(text: string): 'not-money' | 'too-large' | undefined {
  const value = parseUnbounded(text);
  if (value === undefined) return 'not-money';
  return Math.abs(value) > MAX_MONEY ? 'too-large' : undefined;
}

/** Integer ten-thousandths, or undefined when not a decimal amount or beyond MAX_MONEY. */
export function parseMoney(text: string): number | undefined {
  return moneyTextProblem(text) === undefined ? parseUnbounded(text) : undefined;
}

/** "10.00", "0.0125", "-2.50": at least two decimals, up to four, no trailing zeros beyond two. */
export function formatMoney(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const whole = Math.floor(abs / MONEY_SCALE);
  let frac = String(abs % MONEY_SCALE).padStart(4, '0');
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${sign}${whole}.${frac}`;
}
