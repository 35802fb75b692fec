import type { CallerIdChannel } from './types';

export interface RoutingChoice {
  channel: CallerIdChannel;
  /** The prefix that matched, or null when the channel was taken as the fallback route (empty prefix list). */
  matchedPrefix: string | null;
}

/**
 * Longest destination prefix wins; a channel with no prefixes is the fallback route, used only when no
 * prefix matches. Ties keep the earlier channel in the list so the choice is deterministic (the
 * configuration API is expected to refuse duplicate prefixes, but the call must not depend on that).
 */
export function explainRouting(channels: readonly CallerIdChannel[], destination: string): RoutingChoice | null {
  let best: RoutingChoice | null = null;
  let bestLength = -1;
  let fallback: CallerIdChannel | null = null;
  for (const channel of channels) {
    if (channel.prefixes.length === 0) {
      fallback ??= channel;
      continue;
    }
    for (const prefix of channel.prefixes) {
      if (destination.startsWith(prefix) && prefix.length > bestLength) {
        best = { channel, matchedPrefix: prefix };
        bestLength = prefix.length;
      }
    }
  }
  if (best) return best;
  return fallback ? { channel: fallback, matchedPrefix: null } : null;
}

/** The channel that routes a call to `destination`, or null when no channel (not even a fallback) does. */
export function pickRoutingChannel(channels: readonly CallerIdChannel[], destination: string): CallerIdChannel | null {
  return explainRouting(channels, destination)?.channel ?? null;
}
