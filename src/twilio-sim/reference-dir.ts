import fs from 'node:fs';
import path from 'node:path';

/**
 * Where Twilio's TwiML XSDs live. They are not published on npm, so they sit in a folder beside the repo
 * (ours has one; a user's clone does not), and the location is a parameter: env `TWILIO_REFERENCE_DIR`
 * first, then `<repo>/../shared/twilio-reference`. Without it the XSD checks are skipped and our own
 * structural rules still run. Twilio's REST OpenAPI description comes from npm instead (see below).
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
    throw new Error(`Twilio reference directory not found at ${defaultTwilioReferenceDir()}; set TWILIO_REFERENCE_DIR`);
  }
  return found;
}

/** Twilio's REST OpenAPI description of the 2010-04-01 API, as it ships in every clone. */
export const OPENAPI_FILE = 'twilio_api_v2010.json';
/** The pinned devDependency `@twilio/cli-core` publishes it (Twilio's CLI validates requests with it). */
const OPENAPI_IN_NPM = `@twilio/cli-core/src/services/twilio-api/${OPENAPI_FILE}`;

/**
 * The OpenAPI file: `<referenceDir>/twilio_api_v2010.json` when a directory is named, else the one in
 * `@twilio/cli-core`; null when neither is there (a production install without devDependencies).
 */
export function findTwilioOpenApiFile(referenceDir?: string): string | null {
  if (referenceDir) {
    const file = path.join(referenceDir, OPENAPI_FILE);
    return fs.existsSync(file) ? file : null;
  }
  try {
    return require.resolve(OPENAPI_IN_NPM);
  } catch {
    return null;
  }
}
