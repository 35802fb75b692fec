import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Paths never written to a log line at any level: API keys, signatures, PINs and passwords, and
 * digits typed on a call (they may be a PIN).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.pin',
  '*.authToken',
  '*.apiKey',
  '*.key',
  '*.Digits',
  'body.Digits',
];

/**
 * The token of a public sound URL (`/sounds/<token>`) is its only secret, and it turns up in values
 * rather than at fixed paths (the access log's url, a TwiML URL, an error message). So every finished
 * log line is searched once, whatever wrote it. `/api/sounds/<id>` holds an id, not a token, and stays.
 */
const SOUND_TOKEN_IN_TEXT = /(?<!\/api)\/sounds\/[A-Za-z0-9_-]+/g;
export const redactSoundTokens = (line: string): string => line.replace(SOUND_TOKEN_IN_TEXT, '/sounds/[redacted]');

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const out = destination ?? pino.destination(1);
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    { write: (line: string) => out.write(redactSoundTokens(line)) },
  );
}
