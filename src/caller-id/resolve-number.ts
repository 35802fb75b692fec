import type { NumberFacts } from './number-facts';
import type { CallerIdInput, TraceStep } from './types';
import { pickUniform } from './uniform-pick';

export type NumberResult = { ok: true; number: string } | { ok: false; message: string };

interface Candidate {
  number: string;
  rule: string;
  /** Why this number is being offered, as the first half of a trace sentence. */
  because: string;
  /**
   * Server-rule numbers must be numbers of the client. Equipment and user values are exempt: they are the
   * caller's own phone or the operator's explicit choice (issue 7), and only the Twilio rule limits them.
   */
  mustBeClientNumber: boolean;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

// Numbers are compared exactly (see types.ts), so they are not trimmed; only an empty value counts as unset.
function nonEmpty(value: string | null | undefined): string | null {
  return value === null || value === undefined || value.trim() === '' ? null : value;
}

/** Checks candidates in turn, tracing why each is presented or not; remembers what was tried. */
class CandidateCheck {
  readonly tried = new Set<string>();
  /** Whether Twilio's 13214 rule refused a candidate (the fallbacks then say so in their rule code). */
  twilioRejected = false;
  private readonly onTwilio: boolean;
  private readonly calledNumber: string | null;
  private readonly callingNumber: string | null;

  constructor(
    private readonly input: CallerIdInput,
    private readonly facts: NumberFacts,
    private readonly trace: TraceStep[],
  ) {
    this.onTwilio = input.routingChannel.type === 'twilio';
    this.calledNumber = nonEmpty(input.leg?.calledNumber);
    this.callingNumber = nonEmpty(input.leg?.callingNumber);
  }

  private twilioAllowance(number: string): string | null {
    if (this.facts.twilioNumbers.has(number)) return 'it is a number of a Twilio channel of this client';
    if (number === this.calledNumber) return "it is the called number of this call leg (the caller's own phone on a callback)";
    if (number === this.callingNumber) return 'it is the calling number of this call leg';
    return null;
  }

  accept(c: Candidate): boolean {
    this.tried.add(c.number);
    if (c.mustBeClientNumber && !this.facts.clientNumbers.has(c.number)) {
      this.trace.push({
        rule: 'number.rejected.not-client-number',
        detail: `${c.because}: ${c.number} is not a public number of the extension's client, so it is never presented.`,
      });
      return false;
    }
    if (!this.onTwilio) {
      this.trace.push({ rule: c.rule, detail: `${c.because}: presenting ${c.number}.` });
      return true;
    }
    const allowed = this.twilioAllowance(c.number);
    if (allowed === null) {
      this.twilioRejected = true;
      this.trace.push({
        rule: 'number.twilio-constraint.rejected',
        detail:
          `${c.because}: ${this.facts.describe(c.number)} cannot be presented on Twilio channel ${this.input.routingChannel.name}: ` +
          'it is neither a number of a Twilio channel of this client nor the calling or called number of ' +
          'this call leg, and Twilio would fail the dial (error 13214).',
      });
      return false;
    }
    this.trace.push({ rule: c.rule, detail: `${c.because}: presenting ${c.number} (allowed on Twilio: ${allowed}).` });
    return true;
  }
}

/**
 * The number rules of issue 7, in order: the mode's own choice, then (when that gives nothing or Twilio
 * would refuse it) the default caller ID, then the extension's public number. Every candidate is checked
 * against "only the client's numbers" and, on a Twilio route, against the 13214 rule, and every rejection
 * is traced, so the trace alone explains the number the callee saw.
 */
export function resolveNumber(input: CallerIdInput, facts: NumberFacts, trace: TraceStep[]): NumberResult {
  const check = new CandidateCheck(input, facts, trace);
  const primary = modeCandidate(input, facts, trace);
  if (primary && check.accept(primary)) return { ok: true, number: primary.number };
  const fallback = fallbackNumber(input, facts, trace, check);
  if (fallback !== null) return { ok: true, number: fallback };

  const route = input.routingChannel;
  const message =
    route.type === 'twilio'
      ? `No caller ID of this extension can be presented on Twilio channel ${route.name}; the call is refused rather than let Twilio present a number the rules did not choose.`
      : `No caller ID of this extension can be presented on channel ${route.name}; the call is refused rather than let the route present a number the rules did not choose.`;
  trace.push({ rule: 'number.none-presentable', detail: message });
  return { ok: false, message };
}

/** Step 1: the mode's own choice (server: the routing channel's assigned caller IDs; equipment; user). */
function modeCandidate(input: CallerIdInput, facts: NumberFacts, trace: TraceStep[]): Candidate | null {
  const settings = input.extension.callerId;
  if (settings.number.mode === 'server') return serverRoutingChannelCandidate(input, facts, trace, input.random);
  if (settings.number.mode === 'equipment') {
    const number = nonEmpty(input.equipment.number);
    if (number === null) {
      trace.push({
        rule: 'number.equipment.unknown',
        detail: 'Number mode is "set by equipment" but the number of the caller\'s phone is unknown.',
      });
      return null;
    }
    return { number, rule: 'number.equipment', because: 'Number mode is "set by equipment" (the number of the phone the caller uses)', mustBeClientNumber: false };
  }
  const number = nonEmpty(settings.number.value);
  if (number === null) {
    trace.push({ rule: 'number.user.missing-value', detail: 'Number mode is "set by user" but no value is set.' });
    return null;
  }
  // A client key can only set one of its own numbers; any other value was set with the operator key.
  const allowedBy = facts.clientNumbers.has(number)
    ? "allowed: it is one of the client's own numbers"
    : "allowed: set with the operator key (the operator's trunk, the operator's responsibility)";
  return { number, rule: 'number.user', because: `Number mode is "set by user" (the custom value; ${allowedBy})`, mustBeClientNumber: false };
}

/**
 * Steps 2 and 3: the default caller ID, then the extension's public number. In server mode these are
 * rule 3 and the final rule; in the other modes, or after a Twilio rejection, they are fallbacks, and the
 * rule code says which so operators can count how often a configuration falls back.
 */
function fallbackNumber(input: CallerIdInput, facts: NumberFacts, trace: TraceStep[], check: CandidateCheck): string | null {
  const { extension, routingChannel: route } = input;
  const mode = extension.callerId.number.mode;
  const codeFor = (which: 'default' | 'public-number'): string => {
    if (check.twilioRejected) return `number.twilio-constraint.fallback-${which}`;
    if (mode === 'server') return which === 'default' ? 'number.server.default' : 'number.server.extension-public-number';
    return `number.${mode}.fallback-${which}`;
  };
  const whyFallback = (): string =>
    check.twilioRejected
      ? 'the number chosen so far cannot be presented on this Twilio route'
      : mode === 'server'
        ? `no assigned caller ID belongs to routing channel ${route.name}`
        : `number mode "${mode}" gave no number`;

  const defaultNumber = nonEmpty(extension.callerId.defaultNumber);
  if (defaultNumber === null) {
    trace.push({ rule: 'number.no-default', detail: 'No default caller ID is set.' });
  } else if (check.tried.has(defaultNumber)) {
    trace.push({ rule: 'number.default-already-rejected', detail: `The default caller ID ${defaultNumber} was already rejected above.` });
  } else {
    const because = `Default caller ID ${facts.describe(defaultNumber)}, used because ${whyFallback()}`;
    if (check.accept({ number: defaultNumber, rule: codeFor('default'), because, mustBeClientNumber: true })) return defaultNumber;
  }

  const publicNumber = nonEmpty(extension.publicNumber);
  if (publicNumber === null) {
    trace.push({ rule: 'number.no-public-number', detail: 'The extension has no public number (no number rings back to it).' });
  } else if (check.tried.has(publicNumber)) {
    trace.push({ rule: 'number.public-number-already-rejected', detail: `The extension's public number ${publicNumber} was already rejected above.` });
  } else {
    const because =
      `The extension's public number (the number that rings back to it) ${facts.describe(publicNumber)}, ` +
      `used because ${whyFallback()} and there is no usable default caller ID`;
    if (check.accept({ number: publicNumber, rule: codeFor('public-number'), because, mustBeClientNumber: true })) return publicNumber;
  }
  return null;
}

/** Rules 1 and 2 of server mode: the assigned caller IDs of the routing channel, one picked uniformly. */
function serverRoutingChannelCandidate(input: CallerIdInput, facts: NumberFacts, trace: TraceStep[], random: CallerIdInput['random']): Candidate | null {
  const route = input.routingChannel;
  const assigned = unique(input.extension.callerId.numbers.filter((n) => n.trim() !== ''));
  const notClient = assigned.filter((n) => !facts.clientNumbers.has(n));
  if (notClient.length > 0) {
    trace.push({
      rule: 'number.server.assigned-not-client-number',
      detail: `Assigned caller ID(s) ${notClient.join(', ')} are not public numbers of the extension's client and are ignored.`,
    });
  }
  const owned = assigned.filter((n) => facts.clientNumbers.has(n));
  const routeNumbers = facts.numbersOnChannel(route.id);
  const onRoute = owned.filter((n) => routeNumbers.has(n));
  const elsewhere = owned.filter((n) => !routeNumbers.has(n));

  if (owned.length === 0) {
    trace.push({ rule: 'number.server.no-assigned', detail: 'Number mode is "set by server" and no caller ID is assigned to the extension.' });
    return null;
  }
  if (onRoute.length === 0) {
    trace.push({
      rule: 'number.server.none-on-routing-channel',
      detail: `None of the assigned caller IDs (${owned.map(facts.describe).join('; ')}) belongs to routing channel ${route.name}.`,
    });
    return null;
  }
  if (elsewhere.length > 0) {
    trace.push({
      rule: 'number.server.other-channels-ignored',
      detail: `Assigned caller ID(s) ${elsewhere.map(facts.describe).join('; ')} belong to other channels and are not used, because channel ${route.name} routes this call.`,
    });
  }
  const number = pickUniform(onRoute, random);
  return onRoute.length > 1
    ? {
        number,
        rule: 'number.server.random-pick',
        because: `Number mode is "set by server"; ${onRoute.length} assigned caller IDs belong to routing channel ${route.name} (${onRoute.join(', ')}), one picked at random`,
        mustBeClientNumber: true,
      }
    : {
        number,
        rule: 'number.server.routing-channel',
        because: `Number mode is "set by server"; the assigned caller ID of routing channel ${route.name}`,
        mustBeClientNumber: true,
      };
}
