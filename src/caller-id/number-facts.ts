import type { CallerIdChannel, ClientNumber } from './types';

/** What the engine needs to know about the client's numbers, indexed once per decision. */
export interface NumberFacts {
  /** Every public number of the client: the only numbers the server rules may present. */
  readonly clientNumbers: ReadonlySet<string>;
  /** Client numbers defined on a Twilio channel: the numbers the Twilio account owns (13214 rule). */
  readonly twilioNumbers: ReadonlySet<string>;
  numbersOnChannel(channelId: string): ReadonlySet<string>;
  /** "2255 (channel Resource #1)" for trace sentences, so an operator sees where a number comes from. */
  describe(number: string): string;
}

export function indexNumbers(clientNumbers: readonly ClientNumber[], channels: readonly CallerIdChannel[]): NumberFacts {
  const channelsById = new Map(channels.map((c) => [c.id, c] as const));
  const all = new Set<string>();
  const twilio = new Set<string>();
  const byChannel = new Map<string, Set<string>>();
  const channelNamesOf = new Map<string, string[]>();
  for (const { number, channelId } of clientNumbers) {
    all.add(number);
    const channel = channelsById.get(channelId);
    if (channel?.type === 'twilio') twilio.add(number);
    let set = byChannel.get(channelId);
    if (!set) byChannel.set(channelId, (set = new Set()));
    set.add(number);
    const names = channelNamesOf.get(number) ?? [];
    names.push(channel ? channel.name : `unknown channel ${channelId}`);
    channelNamesOf.set(number, names);
  }
  const empty: ReadonlySet<string> = new Set();
  return {
    clientNumbers: all,
    twilioNumbers: twilio,
    numbersOnChannel: (channelId) => byChannel.get(channelId) ?? empty,
    describe: (number) => {
      const names = channelNamesOf.get(number);
      return names ? `${number} (channel ${names.join(', ')})` : `${number} (not a number of this client)`;
    },
  };
}
