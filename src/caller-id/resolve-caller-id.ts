import { indexNumbers } from './number-facts';
import { resolveName } from './resolve-name';
import { resolveNumber } from './resolve-number';
import { explainRouting } from './route-channel';
import { buildIdentityHeaders, buildPrivacyHeaders, encodeSipHeaderPart, SIP_HEADER_PART_MAX_LENGTH } from './sip-identity-headers';
import type { CallerIdDecision, CallerIdInput, CallerIdRefused, TraceStep } from './types';

/** The `<Sip>` callerId used when hidden; Twilio accepts it as an alphanumeric callerId. */
export const ANONYMOUS_SIP_CALLER_ID = 'anonymous';

function refuse(reason: CallerIdRefused['reason'], message: string, trace: TraceStep[]): CallerIdRefused {
  return { outcome: 'refused', reason, message, trace };
}

/**
 * Decides the caller ID of one outgoing dial. Precedence: hide first (it overrides every mode, the
 * assigned list and the default, and is never weakened by a fallback), then the number rules (mode,
 * assigned list, default, public number, with the Twilio 13214 constraint checked on each candidate),
 * then the name, then the SIP headers. Pure: the same input (and random sequence) gives the same decision.
 */
export function resolveCallerId(input: CallerIdInput): CallerIdDecision {
  const trace: TraceStep[] = [];
  const route = input.routingChannel;
  const settings = input.extension.callerId;
  const publicCall = input.publicCall ?? true;
  const onSip = route.type === 'sip';

  trace.push(routeStep(input));
  if (settings.hide) return hiddenDecision(input, trace);

  const facts = indexNumbers(input.clientNumbers, input.channels);
  const numberResult = resolveNumber(input, facts, trace);
  if (!numberResult.ok) return refuse('no-presentable-number', numberResult.message, trace);
  const number = numberResult.number;
  const name = resolveName(input, trace);

  if (!onSip) {
    if (name !== null) {
      trace.push({
        rule: 'name.not-transmitted-twilio',
        detail: 'Twilio <Dial> has no caller name attribute for PSTN calls: the callee sees the name registered for the number (CNAM), if any, not this name.',
      });
    }
    if (settings.sendIdentityHeaders) {
      trace.push({ rule: 'headers.not-sip-route', detail: 'Identity headers are only sent on SIP routes; none sent.' });
    }
    return { outcome: 'ok', number, name, sipHeaders: {}, trace };
  }

  const accepted = { outcome: 'ok' as const, number, name, sipCallerId: number, trace };
  if (!settings.sendIdentityHeaders) {
    trace.push({ rule: 'headers.disabled', detail: 'Identity headers are not enabled for this extension; none sent.' });
    if (name !== null) trace.push({ rule: 'name.not-transmitted-no-headers', detail: 'Without identity headers the name is not transmitted on a SIP route.' });
    return { ...accepted, sipHeaders: {} };
  }
  if (!publicCall) {
    trace.push({ rule: 'headers.skipped-internal-call', detail: 'Identity headers are only added on external (public) calls; none sent.' });
    return { ...accepted, sipHeaders: {} };
  }

  return withIdentityHeaders(accepted, route.sipDomain ?? null, trace);
}

/** How the call is routed, as the trace's first step. */
function routeStep(input: CallerIdInput): TraceStep {
  const route = input.routingChannel;
  const routing = explainRouting(input.channels, input.destination);
  return {
    rule: 'route.channel',
    detail:
      `The call to ${input.destination} is routed by ${route.type} channel ${route.name}` +
      (routing?.channel.id === route.id
        ? routing.matchedPrefix === null
          ? ' (the fallback route: no prefix matched).'
          : ` (longest matching prefix "${routing.matchedPrefix}").`
        : ' (chosen by the caller of the engine).'),
  };
}

/** Hide overrides every mode, the assigned list and the default: anonymous on SIP, refused on Twilio. */
function hiddenDecision(input: CallerIdInput, trace: TraceStep[]): CallerIdDecision {
  const route = input.routingChannel;
  const settings = input.extension.callerId;
  if (route.type !== 'sip') {
    const message = `The extension hides its caller ID, but Twilio channel ${route.name} has no documented way to hide it on the PSTN; the call is refused rather than present the number.`;
    trace.push({ rule: 'hide.twilio-refused', detail: message });
    return refuse('hide-unsupported-on-route', message, trace);
  }
  trace.push({
    rule: 'hide.sip-anonymous',
    detail: 'The extension hides its caller ID: callerId "anonymous", no name, and a privacy marking (Remote-Party-ID privacy=full, X-Privacy: id) instead of any identity header.',
  });
  if (settings.sendIdentityHeaders) {
    trace.push({
      rule: 'hide.identity-headers-suppressed',
      detail: 'Identity headers are enabled but not sent, because hiding the caller ID takes precedence.',
    });
  }
  return {
    outcome: 'ok',
    number: null,
    name: null,
    sipHeaders: buildPrivacyHeaders(),
    sipCallerId: ANONYMOUS_SIP_CALLER_ID,
    trace,
  };
}

type AcceptedOnSip = { outcome: 'ok'; number: string; name: string | null; sipCallerId: string; trace: TraceStep[] };

/** The SIP identity headers of an accepted number and name, within Twilio's length limit (error 21227). */
function withIdentityHeaders(accepted: AcceptedOnSip, domain: string | null, trace: TraceStep[]): CallerIdDecision {
  const { number, name } = accepted;
  let headers = buildIdentityHeaders({ number, name, domain });
  if (encodeSipHeaderPart(headers).length > SIP_HEADER_PART_MAX_LENGTH && name !== null) {
    // The name is the only part of unbounded length; dropping it keeps the call and the number right,
    // which matters more than the display name.
    headers = buildIdentityHeaders({ number, name: null, domain });
    trace.push({
      rule: 'headers.name-dropped-too-long',
      detail: `With the name, the SIP header part would exceed ${SIP_HEADER_PART_MAX_LENGTH} characters (Twilio error 21227); the name is left out of the headers.`,
    });
  }
  const length = encodeSipHeaderPart(headers).length;
  if (length > SIP_HEADER_PART_MAX_LENGTH) {
    const message = `The SIP identity headers would be ${length} characters, over Twilio's limit of ${SIP_HEADER_PART_MAX_LENGTH} (error 21227); the call is refused.`;
    trace.push({ rule: 'headers.too-long', detail: message });
    return refuse('sip-headers-too-long', message, trace);
  }
  trace.push({
    rule: 'headers.identity',
    detail: `Identity headers sent: ${Object.keys(headers).join(', ')} (P-Asserted-Identity itself is refused by Twilio, 13252).`,
  });
  return { ...accepted, sipHeaders: headers };
}
