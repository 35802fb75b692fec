import type { SimEvent } from './call-result';

/** One line of what a caller (and an observer of Twilio) would notice; null for noise. */
export function describeEvent(e: SimEvent, opts: { emoji?: boolean } = {}): string | null {
  const emoji = opts.emoji ?? true;
  switch (e.type) {
    case 'request':
      return null;
    case 'response':
      return e.status >= 300 ? `HTTP ${e.status} from ${e.url}` : null;
    case 'say': {
      // The language the voice speaks in, so a prompt in the wrong catalog or voice shows.
      const lang = e.language ? ` [${e.language}${e.voice ? `, ${e.voice}` : ''}]` : '';
      return emoji ? `🔊${lang} "${e.text}"` : `SAY${lang}: ${e.text}`;
    }
    case 'play':
      return emoji ? `🎵 [recording] plays ${e.url}` : `PLAY [recording]: ${e.url}`;
    case 'prompt-cut':
      return `⌨  key "${e.key}" cuts the prompt short`;
    case 'play-digits':
      return `PLAY DIGITS: ${e.digits}`;
    case 'pause':
      return `… pause ${e.seconds} s`;
    case 'gather-start':
      return `⌨  waiting for keys (timeout ${e.timeoutS} s per key${e.finishOnKey ? `, end with ${e.finishOnKey}` : ''}${e.numDigits ? `, ${e.numDigits} digit(s)` : ''})`;
    case 'gather-end':
      return e.digits || e.reason !== 'timeout'
        ? `⌨  keys: "${e.digits}"${e.reason === 'finishOnKey' ? ' + finish key' : e.reason === 'timeout' ? ' (timeout)' : ''}`
        : '⌨  no input (timeout)';
    case 'gather-fallthrough':
      return '   (no input: falls through to the next verb)';
    case 'dial-start':
      return `☎  dialing ${e.target.kind === 'Sip' ? 'SIP ' : ''}${e.target.address}${e.target.callerId ? ` from ${e.target.callerId}` : ''} (time limit ${e.timeLimit} s, ring timeout ${e.timeout} s)`;
    case 'dial-answered':
      return `☎  answered after ${e.afterS} s: talking`;
    case 'dial-end':
      return `☎  dial ended: DialCallStatus=${e.status} DialCallDuration=${e.duration}${e.cutByTimeLimit ? ' (cut by timeLimit)' : ''}`;
    case 'redirect':
      return `↪  redirect to ${e.url}`;
    case 'reject':
      return `✖  call rejected (reason ${e.reason})`;
    case 'hangup':
      return '✖  hung up';
    case 'end-of-document':
      return '✖  end of TwiML: call ends';
    case 'warning':
      return `warning: ${e.message}`;
    case 'error':
      return `ERROR: ${e.message}`;
  }
}
