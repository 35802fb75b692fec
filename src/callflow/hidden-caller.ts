/**
 * Withheld caller IDs as Twilio delivers them in `From`: words, or their keypad spellings
 * (ANONYMOUS, RESTRICTED, UNAVAILABLE, UNKNOWN, BLOCKED). An empty From is hidden too.
 */
const HIDDEN_WORDS = new Set(['anonymous', 'restricted', 'unavailable', 'unknown', 'blocked', 'private', 'withheld']);
const HIDDEN_KEYPAD = new Set(['+266696687', '+7378742833', '+86282452253', '+8656696', '+2562533']);

export function isHiddenCaller(from: string | undefined): boolean {
  const f = (from ?? '').trim();
  if (!f) return true;
  if (HIDDEN_WORDS.has(f.toLowerCase())) return true;
  if (HIDDEN_KEYPAD.has(f)) return true;
  return false;
}
