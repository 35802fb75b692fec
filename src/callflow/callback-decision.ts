import type { AppDeps } from '../deps';
import { countActiveSessions } from '../domain/call-sessions/sessions';
import { callbackCounterId, countWithinHour } from '../domain/call-sessions/target-counters';
import { toE164 } from '../phone';
import { callCost, findRate, type Rate } from '../billing/rating';
import type { ConfigCache, CachedCaller, NumberRoute } from './config-cache';
import { decideCallback, type CallbackDecision } from './decide-callback';
import { checkPrefixes, operatorDenies } from './destination';
import { isHiddenCaller } from './hidden-caller';

/**
 * Whether a number that rang (or asked for a callback by API or SMS, as if it had rung) gets one: the
 * inputs of the pure decision (decide-callback.ts), read in one round. The incoming-call webhook and
 * requested callbacks share it, so both apply the same rules.
 */
export interface Decided {
  decision: CallbackDecision;
  callerE164: string | null;
  authorized: CachedCaller | null;
  callbackRate: Rate | null;
}

/** Configuration from the cache, money fresh; null: the client is gone. */
export async function decideForRoute(deps: AppDeps, config: ConfigCache, route: NumberRoute, from: string, now: Date): Promise<Decided | null> {
  const { extension: ext, client } = route;
  const hidden = isHiddenCaller(from);
  const callerE164 = hidden ? null : (toE164(from) ?? null);
  const caller = callerE164 ? config.authorizedCaller(ext._id, callerE164) : Promise.resolve(null);
  // The number a callback would go to (decideCallback has the final word): its counter is read now, to
  // refuse early; the callback is counted, atomically, when it is placed (place-callback.ts).
  const likelyTarget = ext.callback.returnCalls === 'fixed' ? ext.callback.fixedNumber : callerE164;
  const [authorized, available, balance, lockouts, activeCalls, fraud, callbacksToTarget] = await Promise.all([
    caller,
    // A limited caller ID's credit is money: read fresh, in the same round as the rest.
    caller.then((a) => (a && !a.unlimited ? config.freshAvailable(a._id) : 0)),
    client.unlimitedCredit ? 0 : config.freshBalance(client._id),
    config.lockouts(ext._id, now),
    client.maxConcurrentCalls === null ? 0 : countActiveSessions(deps.db, client._id),
    config.fraud(),
    likelyTarget ? config.freshCounter(callbackCounterId(likelyTarget)) : null,
  ]);
  const chargeCallbackLeg = ext.callback.chargeCallbackLeg !== false;
  const callbackRateOf = (t: string) => findRate(route.callbackRates, t);
  if (balance === null) return null;
  const decision = decideCallback({
    returnCalls: ext.callback.returnCalls,
    fixedNumber: ext.callback.fixedNumber,
    callerE164,
    callerHidden: hidden,
    authorizedCaller: authorized ? { id: String(authorized._id), enabled: authorized.enabled, unlimited: authorized.unlimited, available } : null,
    client: { unlimitedCredit: client.unlimitedCredit, balance, activeCalls, maxConcurrentCalls: client.maxConcurrentCalls },
    cheapestIncrement: route.cheapestIncrement,
    targetLockedOut: (t) => lockouts.some((l) => l.target === t && l.until > now),
    targetAllowed: (t) => checkPrefixes(t, client.allowPrefixes, client.denyPrefixes).ok && !operatorDenies(t, fraud.denyPrefixes),
    chargeCallbackLeg,
    callbackIncrement: (t) => {
      const rate = callbackRateOf(t);
      return rate ? callCost(rate.initialSeconds, rate) : null;
    },
    callbacksToTargetLastHour: countWithinHour(callbacksToTarget, now),
    maxCallbacksPerTargetPerHour: fraud.maxCallbacksPerTargetPerHour,
  });
  const callbackRate = decision.callback && chargeCallbackLeg ? (callbackRateOf(decision.target) ?? null) : null;
  return { decision, callerE164, authorized, callbackRate };
}
