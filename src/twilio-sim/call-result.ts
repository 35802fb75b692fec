import { randomBytes } from 'node:crypto';
import type { DialTargetInfo } from './dialed-party';

/** What one simulated call leg reports: its events as they happen and its result at the end. */

export type SimEvent =
  | { type: 'request'; url: string; method: string; params: Record<string, string>; purpose: string }
  | { type: 'response'; url: string; status: number; ms: number }
  | { type: 'say'; text: string; language?: string; voice?: string; loop: number }
  | { type: 'play'; url: string; loop: number }
  /** A key pressed during a prompt of a Gather cut it short (the key is the Gather's first digit). */
  | { type: 'prompt-cut'; index: number; key: string }
  | { type: 'play-digits'; digits: string }
  | { type: 'pause'; seconds: number }
  | { type: 'gather-start'; index: number; timeoutS: number; finishOnKey: string; numDigits: number | null; action: string | null }
  | { type: 'gather-end'; index: number; digits: string; reason: 'finishOnKey' | 'numDigits' | 'timeout' }
  | { type: 'gather-fallthrough'; index: number }
  | { type: 'dial-start'; target: DialTargetInfo; timeLimit: number; timeout: number }
  | { type: 'dial-answered'; afterS: number }
  | { type: 'dial-end'; status: string; duration: number; dialCallSid: string; cutByTimeLimit: boolean }
  | { type: 'redirect'; url: string }
  | { type: 'reject'; reason: string }
  | { type: 'hangup' }
  | { type: 'end-of-document' }
  | { type: 'warning'; message: string }
  | { type: 'error'; message: string };

export type CallOutcome = 'rejected' | 'hangup' | 'completed' | 'error';

export interface DialRecord {
  status: string;
  duration: number;
  dialCallSid: string;
  cutByTimeLimit: boolean;
}

export interface CallResult {
  outcome: CallOutcome;
  /** Reject's reason (rejected, busy) or the error message. */
  reason?: string;
  /** Seconds from answer to end (0 when never answered), as Twilio's CallDuration. */
  durationS: number;
  answered: boolean;
  events: SimEvent[];
  dials: DialRecord[];
}

/** TwiML the simulator refuses or cannot play; it ends the call with outcome 'error'. */
export class TwimlError extends Error {}

export const newCallSid = (): string => `CA${randomBytes(16).toString('hex')}`;
