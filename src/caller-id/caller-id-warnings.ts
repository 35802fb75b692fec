import { indexNumbers } from './number-facts';
import { resolveCallerId } from './resolve-caller-id';
import type { CallerIdChannel, CallerIdExtension, ClientNumber } from './types';

// Stands for "the caller's phone" when simulating a callback leg; no configured number can equal it.
const SIMULATED_EQUIPMENT = '\u0000equipment';

/**
 * Warnings for the configuration API: settings that are valid but will not do what the operator probably
 * expects on some route. Computed at configuration time so the surprise shows up on save, not as a
 * refused call. `channels` are the channels that may route this client's calls.
 */
export function callerIdWarnings(extension: CallerIdExtension, clientNumbers: readonly ClientNumber[], channels: readonly CallerIdChannel[]): string[] {
  const warnings: string[] = [];
  const settings = extension.callerId;
  const facts = indexNumbers(clientNumbers, channels);
  const twilioChannels = channels.filter((c) => c.type === 'twilio');
  const names = (cs: readonly CallerIdChannel[]) => cs.map((c) => c.name).join(', ');

  if (settings.hide && twilioChannels.length > 0) {
    warnings.push(`Caller ID is hidden, but Twilio channel(s) ${names(twilioChannels)} cannot hide it on the PSTN: calls routed there will be refused.`);
  }
  if (settings.number.mode === 'user' && settings.number.value && twilioChannels.length > 0) {
    const value = settings.number.value;
    if (!facts.twilioNumbers.has(value)) {
      warnings.push(
        `The custom caller ID number ${value} is not a number of a Twilio channel of this client: on Twilio ` +
          "routes the default caller ID or the extension's public number is presented instead (Twilio " +
          'refuses other numbers, error 13214).',
      );
    }
  }
  const notClient = [...new Set(settings.numbers)].filter((n) => !facts.clientNumbers.has(n));
  if (notClient.length > 0) {
    warnings.push(`Caller ID(s) ${notClient.join(', ')} are not public numbers of this client and are never presented.`);
  }
  if (settings.defaultNumber && !facts.clientNumbers.has(settings.defaultNumber)) {
    warnings.push(`The default caller ID ${settings.defaultNumber} is not a public number of this client and is never presented.`);
  }
  if (settings.sendIdentityHeaders && !channels.some((c) => c.type === 'sip')) {
    warnings.push('Identity headers are enabled, but they are only sent on SIP routes and no SIP channel routes calls.');
  }

  // Run the engine itself on each route so the warning can never disagree with what a call would do.
  if (!settings.hide) {
    for (const channel of channels) {
      const decision = resolveCallerId({
        extension,
        clientNumbers,
        channels,
        routingChannel: channel,
        equipment: { number: SIMULATED_EQUIPMENT, name: null },
        leg: { calledNumber: SIMULATED_EQUIPMENT },
        destination: channel.prefixes[0] ?? '',
        random: () => 0,
      });
      if (decision.outcome === 'refused' && decision.reason === 'no-presentable-number') {
        warnings.push(`No caller ID of this extension can be presented on channel ${channel.name}: calls routed there will be refused.`);
      }
    }
  }
  return warnings;
}
