import { callCost, MAX_TALK_SECONDS, maxTalkSeconds, type Tariff } from './rating';

/**
 * The money of a callback with both legs: the callback leg we place to the caller keeps running while
 * the caller talks on the dial, so a dial's time limit must leave room for both. Pure: no I/O, no clock.
 */

/**
 * How long the callback leg may still run after a dial ends (the disconnect sound, the hang-up, the
 * <Dial action> round trip); held with the dial so that those seconds are paid too.
 */
export const CALLBACK_AFTER_DIAL_SECONDS = 30;

/** What the callback leg holds when placed: this much conversation (password, menu), at least one increment. */
export const CALLBACK_PREDIAL_SECONDS = 120;

export interface CallbackLegSoFar {
  rate: Tariff;
  /** Seconds since the callback was answered. */
  elapsed: number;
  /** What is already held for the callback leg (ten-thousandths). */
  held: number;
}

export interface BothLegsLimit {
  /** The dial's time limit (0: not even one increment is paid for). */
  seconds: number;
  /** What to hold for the dial: exactly what `seconds` of it costs. */
  dialAmount: number;
  /** What to hold in addition for the callback leg, so it is paid until the dial's end plus the tail. */
  callbackExtra: number;
  /** The callback-leg seconds (from its answer) that the callback holds then pay for. */
  callbackSeconds: number;
}

/**
 * The longest dial time limit, in whole increments of the dial's rate, that `available` pays for with
 * both legs running together: dialCost(T) + callbackCost(elapsed + T + tail) - held <= available.
 * Without a callback leg to pay (`callback` null) this is the dial alone (maxTalkSeconds).
 * Both costs only grow with T, so a binary search over the increments finds it.
 */
export function bothLegsTimeLimit(available: number, dialRate: Tariff, callback: CallbackLegSoFar | null, cap = MAX_TALK_SECONDS): BothLegsLimit {
  if (!callback) {
    const seconds = maxTalkSeconds(available, dialRate, cap);
    return { seconds, dialAmount: callCost(seconds, dialRate), callbackExtra: 0, callbackSeconds: 0 };
  }
  const credit = Math.floor(available);
  const need = (t: number) => {
    const callbackSeconds = Math.ceil(callback.elapsed) + t + CALLBACK_AFTER_DIAL_SECONDS;
    const extra = Math.max(0, callCost(callbackSeconds, callback.rate) - callback.held);
    return { dialAmount: callCost(t, dialRate), callbackExtra: extra, callbackSeconds };
  };
  const fits = (t: number) => {
    const n = need(t);
    return n.dialAmount + n.callbackExtra <= credit;
  };
  const result = (t: number): BothLegsLimit => (t <= 0 ? { seconds: 0, dialAmount: 0, callbackExtra: 0, callbackSeconds: 0 } : { seconds: t, ...need(t) });
  const { initialSeconds, incrementSeconds } = dialRate;
  if (cap < initialSeconds || !fits(initialSeconds)) return result(0);
  if (fits(cap)) return result(cap);
  // Largest k with fits(initial + k * increment); k = 0 fits, kMax + 1 would pass the cap.
  let lo = 0;
  let hi = Math.floor((cap - initialSeconds) / incrementSeconds);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(initialSeconds + mid * incrementSeconds)) lo = mid;
    else hi = mid - 1;
  }
  return result(initialSeconds + lo * incrementSeconds);
}

/**
 * What the callback leg holds when it is placed: up to CALLBACK_PREDIAL_SECONDS of it, but never more
 * than `available` pays; 0 when not even its first increment fits (then there is no callback).
 */
export function callbackPlacementHold(available: number, rate: Tariff): { seconds: number; amount: number } {
  const seconds = maxTalkSeconds(available, rate, Math.max(rate.initialSeconds, CALLBACK_PREDIAL_SECONDS));
  return { seconds, amount: callCost(seconds, rate) };
}

/**
 * Splits one callback attempt's charge over its holds, in order: each takes at most what it holds
 * (`cap`, Infinity for a hold on unlimited credit), so no settlement ever takes more than was held and
 * a balance never goes below zero. Adding a hold at the end never changes what earlier ones take.
 */
export function allocateCharge(cost: number, caps: readonly number[]): number[] {
  let rest = Math.max(0, cost);
  return caps.map((cap) => {
    const take = Math.min(rest, cap);
    rest -= take;
    return take;
  });
}
