import assert from 'node:assert/strict';
import { explainRouting, pickRoutingChannel } from '../../src/caller-id';
import { channel } from './fixtures';

describe('routing channel by destination prefix', () => {
  const uk = channel('uk', 'UK', 'sip', ['+44']);
  const london = channel('ldn', 'London', 'twilio', ['+4420', '+331']);
  const us = channel('us', 'US', 'twilio', ['+1']);
  const fallback = channel('fb', 'Fallback', 'sip', []);
  const fallback2 = channel('fb2', 'Fallback 2', 'twilio', []);

  const cases: { name: string; channels: ReturnType<typeof channel>[]; destination: string; expect: string | null; prefix?: string | null }[] = [
    { name: 'when one prefix matches, then its channel routes', channels: [uk, us], destination: '+15551234567', expect: 'us', prefix: '+1' },
    { name: 'when several prefixes match, then the longest wins', channels: [uk, london, us], destination: '+442079460000', expect: 'ldn', prefix: '+4420' },
    { name: 'when the longest match comes first in the list, then it still wins', channels: [london, uk], destination: '+442079460000', expect: 'ldn', prefix: '+4420' },
    {
      name: 'when no prefix matches, then the channel with an empty prefix list is the fallback',
      channels: [uk, fallback, us],
      destination: '+33612345678',
      expect: 'fb',
      prefix: null,
    },
    { name: 'when a prefix matches, then it wins over the fallback route', channels: [fallback, uk], destination: '+447700900000', expect: 'uk', prefix: '+44' },
    { name: 'when two fallback routes exist, then the first one is used', channels: [fallback, fallback2], destination: '+33612345678', expect: 'fb', prefix: null },
    { name: 'when nothing matches and there is no fallback, then no channel', channels: [uk, us], destination: '+33612345678', expect: null },
    {
      name: 'when two channels have the same prefix, then the earlier one wins (deterministic)',
      channels: [channel('a', 'A', 'sip', ['+44']), uk],
      destination: '+447700900000',
      expect: 'a',
      prefix: '+44',
    },
    { name: 'when there are no channels, then no channel', channels: [], destination: '+447700900000', expect: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(pickRoutingChannel(c.channels, c.destination)?.id ?? null, c.expect);
      const explained = explainRouting(c.channels, c.destination);
      if (c.expect !== null) assert.equal(explained?.matchedPrefix, c.prefix);
    });
  }
});
