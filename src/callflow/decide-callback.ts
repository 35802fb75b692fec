import type { ReturnCalls } from '../domain/extensions';

/**
 * Whether an incoming call gets a callback, and to which number: a pure function of what the incoming
 * webhook looked up. Every "no" carries a stable reason code, stored with the session.
 */
export interface CallbackFacts {
  returnCalls: ReturnCalls;
  fixedNumber: string | null;
  /** The caller's number in E.164, or null when hidden or not a phone number. */
  callerE164: string | null;
  callerHidden: boolean;
  /** The caller's entry in the extension's authorized caller IDs, if any. */
  authorizedCaller: { id: string; enabled: boolean; unlimited: boolean; available: number } | null;
  client: { unlimitedCredit: boolean; balance: number; activeCalls: number; maxConcurrentCalls: number | null };
  /** Price of one billing increment of the cheapest rate; null when the rate table has no rate. */
  cheapestIncrement: number | null;
  targetLockedOut: (target: string) => boolean;
  /** The client's allow/deny prefixes and the operator's deny list, on the target. */
  targetAllowed: (target: string) => boolean;
  /** false: the callback leg is free for the client (no rate needed, nothing held for it). */
  chargeCallbackLeg: boolean;
  /** Price of the callback leg's first billing increment to the target; null when no rate covers it. */
  callbackIncrement: (target: string) => number | null;
  /** Callbacks placed to the target within the last hour, across every extension, and the cap on them. */
  callbacksToTargetLastHour: number;
  maxCallbacksPerTargetPerHour: number;
}

export type CallbackDecision = { callback: true; target: string; reason: 'callback' } | { callback: false; target: string | null; reason: RefusalReason };

export type RefusalReason =
  | 'caller-not-authorized'
  | 'caller-hidden'
  | 'authorized-caller-disabled'
  | 'authorized-caller-no-credit'
  | 'client-no-credit'
  | 'no-rate'
  | 'no-rate-for-callback'
  | 'callback-target-denied'
  | 'callback-rate-limited'
  | 'target-locked-out'
  | 'concurrent-limit';

export function decideCallback(f: CallbackFacts): CallbackDecision {
  let target: string;
  switch (f.returnCalls) {
    case 'authorized':
      if (f.callerHidden || !f.callerE164 || !f.authorizedCaller) return { callback: false, target: null, reason: 'caller-not-authorized' };
      target = f.callerE164;
      break;
    case 'caller':
      if (f.callerHidden || !f.callerE164) return { callback: false, target: null, reason: 'caller-hidden' };
      target = f.callerE164;
      break;
    case 'fixed':
      if (!f.fixedNumber) return { callback: false, target: null, reason: 'caller-not-authorized' };
      target = f.fixedNumber;
      break;
  }
  // The caller ID's own settings (enabled, allowance) matter only when the callback goes to that caller ID.
  const ac = target === f.callerE164 ? f.authorizedCaller : null;
  if (ac && !ac.enabled) return { callback: false, target, reason: 'authorized-caller-disabled' };
  if (!f.targetAllowed(target)) return { callback: false, target, reason: 'callback-target-denied' };
  if (f.cheapestIncrement === null) return { callback: false, target, reason: 'no-rate' };
  const callbackIncrement = f.chargeCallbackLeg ? f.callbackIncrement(target) : 0;
  if (callbackIncrement === null) return { callback: false, target, reason: 'no-rate-for-callback' };
  // The callback leg's first increment and the cheapest dial's must both be paid for.
  const needed = Math.max(1, callbackIncrement + f.cheapestIncrement);
  if (ac && !ac.unlimited && ac.available < needed) {
    return { callback: false, target, reason: 'authorized-caller-no-credit' };
  }
  if (!f.client.unlimitedCredit && f.client.balance < needed) {
    return { callback: false, target, reason: 'client-no-credit' };
  }
  if (f.targetLockedOut(target)) return { callback: false, target, reason: 'target-locked-out' };
  if (f.callbacksToTargetLastHour >= f.maxCallbacksPerTargetPerHour) return { callback: false, target, reason: 'callback-rate-limited' };
  if (f.client.maxConcurrentCalls !== null && f.client.activeCalls >= f.client.maxConcurrentCalls) {
    return { callback: false, target, reason: 'concurrent-limit' };
  }
  return { callback: true, target, reason: 'callback' };
}
