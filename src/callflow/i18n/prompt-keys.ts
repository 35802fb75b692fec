import { PROMPTS } from '../prompts';
import type { PromptKey, ValueKey } from './catalog';

/**
 * The prompt keys: the contract for `callback.prompts` (a recording per key) and `GET /api/prompts`.
 * Every sentence of the catalogs is a key; the two with a value keep saying the value after the
 * recording.
 */
export const PROMPT_KEYS = Object.keys(PROMPTS) as PromptKey[];
export const VALUE_KEYS: readonly ValueKey[] = ['yourCredit', 'talkTime'];
export const isPromptKey = (k: string): k is PromptKey => (PROMPT_KEYS as string[]).includes(k);
