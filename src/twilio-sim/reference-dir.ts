import fs from 'node:fs';
import path from 'node:path';

/**
 * Where Twilio's machine-readable references live (TwiML XSDs, the 2010-04-01 OpenAPI description).
 * They sit in the shared folder beside the repo, not in it, so the location is always a parameter:
 * env `TWILIO_REFERENCE_DIR` first, then `<repo>/../shared/twilio-reference`.
 */
export function defaultTwilioReferenceDir(): string {
  const fromEnv = process.env.TWILIO_REFERENCE_DIR;
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.resolve(__dirname, '../../../shared/twilio-reference');
}

/** The reference directory, or null when it is absent (tests can then skip instead of failing). */
export function findTwilioReferenceDir(): string | null {
  const dir = defaultTwilioReferenceDir();
  try {
    return fs.statSync(dir).isDirectory() ? dir : null;
  } catch {
    return null;
  }
}

/** Like findTwilioReferenceDir, but throws a message that says where it looked. */
export function requireTwilioReferenceDir(dir?: string): string {
  const found = dir ?? findTwilioReferenceDir();
  if (!found) {
    throw new Error(
      `Twilio reference directory not found at ${defaultTwilioReferenceDir()}; set TWILIO_REFERENCE_DIR`,
    );
  }
  return found;
}
