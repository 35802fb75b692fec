import type { AppDeps } from '../deps';
import { countOlderCallsInProgress, type CallSessionDoc } from '../domain/call-sessions/sessions';
import type { FraudSettings } from '../domain/fraud-settings';
import type { ConfigCache, NumberRoute } from './config-cache';
import { checkPrefixes, operatorDenies } from './destination';

/**
 * What a placement checks before it holds credit, beyond the hold, the hourly cap and the lock (admit,
 * in place-callback.ts). A rung callback was judged a few seconds ago; a requested one may have been
 * judged days ago, so the rules that can change meanwhile (the deny lists, the authorized caller ID,
 * a lockout) are judged again with the reason codes of a ring. Configuration comes from the cache.
 */
export async function refusalAtPlacement(config: ConfigCache, route: NumberRoute | null, session: CallSessionDoc, fraud: FraudSettings, now: Date): Promise<string | null> {
  if ((session.origin ?? 'ring') === 'ring' || !route) return null;
  const target = session.target!;
  const { client, extension } = route;
  if (!checkPrefixes(target, client.allowPrefixes, client.denyPrefixes).ok || operatorDenies(target, fraud.denyPrefixes)) return 'callback-target-denied';
  const [caller, lockouts] = await Promise.all([session.authorizedCallerId ? config.authorizedCaller(extension._id, target) : null, config.lockouts(extension._id, now)]);
  if (session.authorizedCallerId) {
    if (!caller?._id.equals(session.authorizedCallerId)) return 'caller-not-authorized';
    if (!caller.enabled) return 'authorized-caller-disabled';
  }
  if (lockouts.some((l) => l.target === target && l.until > now)) return 'target-locked-out';
  return null;
}

/**
 * Whether the client already has `maxConcurrentCalls` callbacks in progress that were asked for before
 * this one. A ring counted its client's calls when it rang, but requests scheduled for the same minute,
 * or made in parallel, are only held to the limit here.
 */
export async function waitsForCallSlot(deps: AppDeps, route: NumberRoute | null, session: CallSessionDoc): Promise<boolean> {
  const max = route?.client.maxConcurrentCalls ?? null;
  if (max === null) return false;
  return (await countOlderCallsInProgress(deps.db, session.clientId, session._id)) >= max;
}
