export type * from './types';
export { resolveCallerId, ANONYMOUS_SIP_CALLER_ID } from './resolve-caller-id';
export { pickRoutingChannel, explainRouting, type RoutingChoice } from './route-channel';
export { callerIdWarnings } from './caller-id-warnings';
export {
  SIP_HEADER_PART_MAX_LENGTH,
  SipHeaderError,
  SipHeaderPartTooLongError,
  appendSipHeaders,
  assertTwilioSipHeaderName,
  buildIdentityHeaders,
  buildPrivacyHeaders,
  encodeSipHeaderPart,
  type SipIdentity,
} from './sip-identity-headers';
export { pickUniform, mulberry32 } from './uniform-pick';
