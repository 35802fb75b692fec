/**
 * Prices of a call: which rate applies, what a duration costs, and how long a given amount of credit
 * lets a caller talk. Money is integer ten-thousandths (src/money.ts); durations are whole seconds.
 * Pure: no I/O, no clock.
 */

/** A rate of a rate table (models/rate-table.ts stores them in this shape); declared here to keep pricing free of I/O. */
export interface Rate {
  prefix: string;
  perMinute: number;
  initialSeconds: number;
  incrementSeconds: number;
  connectFee: number;
}
export type Tariff = Omit<Rate, 'prefix'>;

/** The longest call the service ever bridges (Twilio's <Dial timeLimit> also tops out at 4 hours). */
export const MAX_TALK_SECONDS = 4 * 3600;

/** Longest prefix wins, so "+447" (UK mobiles) beats "+44"; on equal prefixes the first one listed. */
export function findRate<R extends Rate>(rates: readonly R[], e164: string): R | undefined {
  let best: R | undefined;
  for (const rate of rates) {
    if (e164.startsWith(rate.prefix) && (!best || rate.prefix.length > best.prefix.length)) best = rate;
  }
  return best;
}

/**
 * Seconds charged for a call that lasted `duration`: the initial block, then whole increments ("60/60",
 * "30/6"). A call that never connected (duration 0) is not charged at all.
 */
export function billableSeconds(duration: number, rate: Tariff): number {
  assertDuration(duration);
  if (duration <= 0) return 0;
  const { initialSeconds, incrementSeconds } = rate;
  const increments = Math.max(0, Math.ceil((duration - initialSeconds) / incrementSeconds));
  return initialSeconds + increments * incrementSeconds;
}

/**
 * The charge for a call of `duration` seconds: connect fee plus the per-minute price of the billable
 * seconds, rounded UP to the next ten-thousandth. Rounding up is deliberate: the operator pays its
 * carrier for the same seconds and must never undercharge a fraction of them; a ten-thousandth is far
 * below any coin, so the client loses at most 0.0001 per call. It also keeps cost an integer that only
 * grows with duration, which is what lets maxTalkSeconds invert it exactly.
 */
export function callCost(duration: number, rate: Tariff): number {
  const seconds = billableSeconds(duration, rate);
  if (seconds === 0) return 0;
  return rate.connectFee + ceilDiv(safeProduct(rate.perMinute, seconds), 60);
}

/**
 * The longest time limit `available` pays for: a whole number of billing increments
 * (initialSeconds + k * incrementSeconds) whose callCost fits, at most `capSeconds`; 0 when not even
 * the first increment fits. Closed form, no search:
 *   connectFee + ceil(perMinute * t / 60) <= available
 *   <=> perMinute * t <= 60 * (available - connectFee)        (t, money integers)
 *   <=> t <= floor(60 * (available - connectFee) / perMinute)
 * then t is brought down to the billing grid.
 */
export function maxTalkSeconds(available: number, rate: Tariff, capSeconds: number = MAX_TALK_SECONDS): number {
  const cap = Math.floor(capSeconds);
  // Costs are integers, so a fractional credit buys what its floor buys; Infinity (no limit) stays.
  const credit = Math.floor(available);
  if (cap <= 0 || callCost(rate.initialSeconds, rate) > credit) return 0;
  // Checked first so that a huge balance never enters the arithmetic below: from here on,
  // available < callCost(cap), which bounds every product.
  if (callCost(cap, rate) <= credit) return cap;
  // perMinute is > 0 here: with a free minute, the connect fee alone decides and callCost(cap) fit.
  const budget = safeProduct(60, credit - rate.connectFee);
  const affordableSeconds = Math.floor(budget / rate.perMinute);
  const k = Math.floor((affordableSeconds - rate.initialSeconds) / rate.incrementSeconds);
  return Math.min(cap, rate.initialSeconds + k * rate.incrementSeconds);
}

/** What to hold on the balance before dialing: the time limit and exactly what that time would cost. */
export function reservationFor(available: number, rate: Tariff, capSeconds: number = MAX_TALK_SECONDS): { seconds: number; amount: number } {
  const seconds = maxTalkSeconds(available, rate, capSeconds);
  return { seconds, amount: callCost(seconds, rate) };
}

/**
 * The least any call can cost under this rate table: connect fee plus the initial block of the
 * cheapest rate. A client below this cannot afford any call, so there is no point calling back.
 * null when the table has no rate (nothing can be dialed at all).
 */
export function cheapestIncrementCost(rates: readonly Tariff[]): number | null {
  let cheapest: number | null = null;
  for (const rate of rates) {
    const cost = callCost(rate.initialSeconds, rate);
    if (cheapest === null || cost < cheapest) cheapest = cost;
  }
  return cheapest;
}

function ceilDiv(numerator: number, divisor: number): number {
  return Math.ceil(numerator / divisor);
}

/**
 * Money times seconds must stay an exact integer; past 2^53 a double silently rounds and the bill would
 * be wrong. Only an absurd rate (millions per minute) gets here, and a loud error beats a wrong charge.
 */
function safeProduct(a: number, b: number): number {
  const product = a * b;
  if (!Number.isSafeInteger(product)) throw new RangeError(`amount out of range: ${a} * ${b}`);
  return product;
}

function assertDuration(duration: number): void {
  // NaN would slip through every comparison and bill NaN; a caller that parsed "" or "abc" must hear it.
  if (!Number.isFinite(duration)) throw new RangeError(`duration must be a finite number of seconds, got ${duration}`);
}
