/**
 * Input and output shapes of the caller ID engine.
 *
 * These are plain data on purpose: the call flow maps its mongoose documents onto them, so the engine can
 * be tested exhaustively without a database and cannot reach one by accident.
 *
 * Numbers are opaque strings compared exactly. The configuration API stores E.164, but the engine must not
 * depend on that (the seed's examples use short numbers such as "2255", and a normalisation step here
 * could make two different configured numbers compare equal behind the operator's back).
 */

export type CallerIdMode = 'server' | 'equipment' | 'user';

export interface CallerIdModeSetting {
  mode: CallerIdMode;
  /** Only meaningful for mode 'user'. */
  value?: string | null;
}

export interface ExtensionCallerIdSettings {
  name: CallerIdModeSetting;
  number: CallerIdModeSetting;
  /** Caller IDs assigned to the extension (public numbers of its client, on any channel). */
  numbers: readonly string[];
  /** May be any number of the client, even one not in `numbers` (seed: "even if it has not been assigned"). */
  defaultNumber: string | null;
  hide: boolean;
  sendIdentityHeaders: boolean;
}

export interface CallerIdExtension {
  id: string;
  /** The extension's contact name. */
  name: string;
  /** The public number that rings back to this extension, if any. */
  publicNumber: string | null;
  callerId: ExtensionCallerIdSettings;
}

/** One public number owned by the extension's client, with the channel it was defined on. */
export interface ClientNumber {
  number: string;
  channelId: string;
}

export type ChannelType = 'twilio' | 'sip';

export interface CallerIdChannel {
  id: string;
  name: string;
  type: ChannelType;
  /** Destination prefixes routed by this channel; an empty list marks the fallback route. */
  prefixes: readonly string[];
  /** SIP domain of a 'sip' channel, used as the host part of identity URIs. */
  sipDomain?: string | null;
}

/** The phone the caller is using: for a callback, the number called back and the name Twilio gave. */
export interface EquipmentIdentity {
  number: string | null;
  /** Twilio's `CallerName` on the original inbound call (only present with caller name lookup). */
  name: string | null;
}

/**
 * The Twilio call leg the `<Dial>` runs in. Twilio accepts the calling and the called number of the current
 * call as a PSTN `callerId` even when the account does not own them (error 13214 otherwise).
 */
export interface LegContext {
  calledNumber?: string | null;
  callingNumber?: string | null;
}

/** A number in [0, 1), like Math.random, but injected so picks are reproducible in tests (one type for the service). */
import type { RandomSource } from '../clock';
export type { RandomSource };

export interface CallerIdInput {
  extension: CallerIdExtension;
  /** Every public number of the extension's client. Numbers not in this list are never presented by the server rules. */
  clientNumbers: readonly ClientNumber[];
  /** All channels the client's numbers may be defined on; needed to know which numbers are Twilio numbers. */
  channels: readonly CallerIdChannel[];
  /** The channel that routes this call (see pickRoutingChannel). */
  routingChannel: CallerIdChannel;
  equipment: EquipmentIdentity;
  leg?: LegContext;
  destination: string;
  /**
   * Whether the destination is external (public). The callback product only dials public destinations,
   * so this defaults to true; it exists because identity headers must never be added on internal calls.
   */
  publicCall?: boolean;
  random: RandomSource;
}

export interface TraceStep {
  /** Stable machine code, e.g. 'number.server.random-pick'. Safe to aggregate on; never reworded. */
  rule: string;
  /** A sentence for an operator. */
  detail: string;
}

export interface CallerIdAccepted {
  outcome: 'ok';
  /** The number presented to the callee; null only when hidden. */
  number: string | null;
  /** The name the rules chose; null when hidden or when none is known. See trace for whether it is transmitted. */
  name: string | null;
  /**
   * Headers to append to the `<Sip>` URI (with appendSipHeaders). Identity headers when sendIdentityHeaders
   * is on for a public call on a SIP route; only the privacy marking (no number, no name) when hidden on a
   * SIP route; empty on Twilio routes.
   */
  sipHeaders: Record<string, string>;
  /** The `<Dial callerId>` value on a SIP route ('anonymous' when hidden); absent on Twilio routes. */
  sipCallerId?: string;
  trace: TraceStep[];
}

export type CallerIdRefusalReason = 'hide-unsupported-on-route' | 'no-presentable-number' | 'sip-headers-too-long';

export interface CallerIdRefused {
  outcome: 'refused';
  reason: CallerIdRefusalReason;
  /** A sentence for the operator (and the call record). */
  message: string;
  trace: TraceStep[];
}

export type CallerIdDecision = CallerIdAccepted | CallerIdRefused;
