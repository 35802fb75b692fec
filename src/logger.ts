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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
