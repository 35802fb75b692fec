import { callCost, MAX_TALK_SECONDS, maxTalkSeconds, type Tariff } from './rating';

/**
 * The money of a callback with both legs: the callback leg we place to the caller keeps running while
 * the caller talks on the dial, so a dial's time limit must leave room for both. Pure: no I/O, no clock.
 */

/** How long a dial rings the destination (`<Dial timeout>`): the callback leg runs all that time too. */
export const DIAL_RING_SECONDS = 30;

/**
 * The callback leg's seconds around a dial that are not talk time: the prompts before it ("you can talk
 * for...", "connecting"), the ring, and after it the disconnect sound, the hang-up and the <Dial action>
 * round trip. Held with the dial, so that the callback leg is paid for every second it runs.
 */
export const CALLBACK_DIAL_OVERHEAD_SECONDS = 10 + DIAL_RING_SECONDS + 30;

/** What the callback leg holds when placed, and each time its conversation (password, menu) runs past what it holds. */
export const CALLBACK_PREDIAL_SECONDS = 120;

/** The longest one conversation step keeps the callback leg up (its prompts and gather); more is held before it runs past. */
export const CALLBACK_STEP_SECONDS = 60;

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
 * both legs running together: dialCost(T) + callbackCost(elapsed + overhead + T) - held <= available,
 * the overhead being the ring and the prompts around the dial (CALLBACK_DIAL_OVERHEAD_SECONDS).
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
    const callbackSeconds = Math.ceil(callback.elapsed) + CALLBACK_DIAL_OVERHEAD_SECONDS + t;
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

export type CallbackTopUp = { enough: true } | { enough: false; seconds: number; amount: number } | { enough: false; seconds: 0; amount: 0 };

/**
 * Whether the callback leg's holds still pay for the next conversation step (CALLBACK_STEP_SECONDS from
 * `elapsed`), and if not what to hold more: CALLBACK_PREDIAL_SECONDS ahead, or as much as `available`
 * pays. `seconds` 0: not even the next step is paid for (the call must end). `covered` is the seconds
 * (from the answer) the holds pay for, `held` what they hold.
 */
export function callbackTopUp(elapsed: number, covered: number, held: number, available: number, rate: Tariff): CallbackTopUp {
  const needed = Math.ceil(elapsed) + CALLBACK_STEP_SECONDS;
  if (needed <= covered) return { enough: true };
  // What the holds and the rest of the credit pay together, as callback-leg seconds from the answer.
  const wanted = Math.ceil(elapsed) + CALLBACK_PREDIAL_SECONDS;
  const seconds = maxTalkSeconds(held + Math.max(0, Math.floor(available)), rate, wanted);
  if (seconds < needed) return { enough: false, seconds: 0, amount: 0 };
  return { enough: false, seconds, amount: Math.max(0, callCost(seconds, rate) - held) };
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
