import twilio from 'twilio';
import type { PromptLine } from './i18n/speaker';

/**
 * TwiML documents as small pure functions: typed input in, the XML string out. Every URL comes in
 * absolute (built from PUBLIC_BASE_URL by the caller), never from a Host header.
 */
type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
export interface Speech {
  language: string;
  voice: string | null;
}

const sayAttrs = (s: Speech) => (s.voice ? { language: s.language, voice: s.voice } : { language: s.language }) as Record<string, string>;

/** A line is said in the speech's language, or (a recorded prompt) played: inside a Gather a key cuts either short. */
function say(r: VoiceResponse | ReturnType<VoiceResponse['gather']>, s: Speech, line: PromptLine): void {
  if (typeof line === 'string') r.say(sayAttrs(s) as never, line);
  else r.play(line.play);
}

export const rejectTwiml = (reason: 'rejected' | 'busy'): string => {
  const r = new twilio.twiml.VoiceResponse();
  r.reject({ reason });
  return r.toString();
};

/** The incoming call's answer: a busy reject, so the call is never answered and costs the caller nothing. */
export const BUSY_TWIML = rejectTwiml('busy');

export function sayAndHangup(s: Speech, ...lines: PromptLine[]): string {
  const r = new twilio.twiml.VoiceResponse();
  for (const l of lines) say(r, s, l);
  r.hangup();
  return r.toString();
}

/** An empty document: the answer to a status callback. */
export function emptyTwiml(): string {
  return new twilio.twiml.VoiceResponse().toString();
}

export function hangupTwiml(): string {
  const r = new twilio.twiml.VoiceResponse();
  r.hangup();
  return r.toString();
}

/**
 * A DTMF prompt. `actionOnEmptyResult` makes Twilio post to the action even on silence, so the
 * service (not a fall-through verb) decides what happens next.
 */
export function gatherTwiml(s: Speech, opts: { action: string; lines: PromptLine[]; finishOnKey?: string; numDigits?: number; timeout: number; before?: PromptLine[] }): string {
  const r = new twilio.twiml.VoiceResponse();
  for (const l of opts.before ?? []) say(r, s, l);
  const g = r.gather({
    input: ['dtmf'],
    action: opts.action,
    method: 'POST',
    timeout: opts.timeout,
    actionOnEmptyResult: true,
    ...(opts.finishOnKey !== undefined ? { finishOnKey: opts.finishOnKey } : {}),
    ...(opts.numDigits !== undefined ? { numDigits: opts.numDigits } : {}),
  });
  for (const l of opts.lines) say(g, s, l);
  return r.toString();
}

export interface DialTarget {
  kind: 'number' | 'sip';
  /** E.164 for `number`; a full sip: URI (with headers) for `sip`. */
  address: string;
  sipUsername?: string | null;
  sipPassword?: string | null;
}

export function dialTwiml(s: Speech, opts: { before: PromptLine[]; callerId: string | null; timeLimit: number; action: string; ringTimeout: number; target: DialTarget }): string {
  const r = new twilio.twiml.VoiceResponse();
  for (const l of opts.before) say(r, s, l);
  const d = r.dial({
    action: opts.action,
    method: 'POST',
    timeLimit: opts.timeLimit,
    timeout: opts.ringTimeout,
    answerOnBridge: true,
    ...(opts.callerId ? { callerId: opts.callerId } : {}),
  });
  if (opts.target.kind === 'number') d.number(opts.target.address);
  else {
    d.sip(
      {
        ...(opts.target.sipUsername ? { username: opts.target.sipUsername } : {}),
        ...(opts.target.sipPassword ? { password: opts.target.sipPassword } : {}),
      },
      opts.target.address,
    );
  }
  return r.toString();
}

export function playAndHangup(s: Speech, sound: { url: string } | { text: string }): string {
  const r = new twilio.twiml.VoiceResponse();
  if ('url' in sound) r.play(sound.url);
  else say(r, s, sound.text);
  r.hangup();
  return r.toString();
}
