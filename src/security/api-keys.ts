import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys are 32 random bytes: high entropy, so a fast SHA-256 is the right hash (a slow KDF protects
 * guessable secrets like PINs, not random keys). Only the hash and a short display prefix are kept.
 */
export const API_KEY_PREFIX = 'cbk_';

/** The characters (and length) `Authorization: Bearer <key>` accepts; ADMIN_API_KEY is checked against them at boot. */
export const BEARER_KEY = /^[A-Za-z0-9_\-.~+/=]{16,200}$/;

export function newApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What a listing shows so an operator can tell keys apart without the key itself. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}

export function sameHash(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
