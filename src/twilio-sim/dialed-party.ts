/** Who answers a <Dial>: the simulator asks it once per dial what the far end does. */
export type PartyBehaviour = { outcome: 'answer'; answerAfterS: number; talkS: number } | { outcome: 'busy' } | { outcome: 'no-answer' } | { outcome: 'failed' };

export interface DialTargetInfo {
  kind: 'Number' | 'Sip';
  address: string;
  callerId: string | null;
}

export type DialedParty = (target: DialTargetInfo, index: number) => PartyBehaviour;

export const answeringParty =
  (answerAfterS = 3, talkS = 20): DialedParty =>
  () => ({ outcome: 'answer', answerAfterS, talkS });
