import type { PROMPTS } from '../prompts';
import type { Language } from './languages';
import type { MoneyWords } from './spoken-amount';

/**
 * A prompt catalog: every sentence the service says on a call, in one language. The keys are the
 * English catalog's (src/callflow/prompts.ts): a key added there and missing here fails the type check
 * and test/callflow/i18n/prompt-catalogs.test.ts.
 *
 * Sentences with values take the value already spoken by this module (`SpokenMoney`, `SpokenTime`,
 * made only by ./speaker.ts from typed money and seconds), so a catalog never formats a number itself.
 */
export type SpokenMoney = string & { readonly spoken: 'money' };
export type SpokenTime = string & { readonly spoken: 'time' };

type English = typeof PROMPTS;
export type PromptKey = keyof English;
/** The sentences that carry a value. */
export type ValueKey = 'yourCredit' | 'talkTime';
export type FixedKey = Exclude<PromptKey, ValueKey>;

export type Sentences = { readonly [K in FixedKey]: string } & {
  readonly yourCredit: (amount: SpokenMoney) => string;
  readonly talkTime: (duration: SpokenTime) => string;
};

export interface Catalog {
  language: Language;
  sentences: Sentences;
  money: Omit<MoneyWords, 'locale'>;
  /** Said instead of a duration under one minute. */
  lessThanAMinute: string;
}

/** Plural forms shared by several catalogs (CLDR has no names for minor units). */
export const one = (word: string) => ({ one: word, other: word });
