import { PROMPTS } from '../../prompts';
import type { Catalog } from '../catalog';

const cent = { one: 'cent', other: 'cents' };
const dollar = { one: 'dollar', other: 'dollars' };

/** English words for money: the same on both sides of the Atlantic. */
const money: Catalog['money'] = {
  and: 'and',
  minus: 'minus',
  minorNames: { USD: cent, CAD: cent, AUD: cent, NZD: cent, EUR: cent, GBP: { one: 'penny', other: 'pence' } },
  // CLDR says "US dollars" and "British pounds": an engine may read the capital "US" as the word "us",
  // and the caller knows which dollars (or pounds) their own account holds.
  currencyNames: { USD: dollar, CAD: dollar, AUD: dollar, GBP: { one: 'pound', other: 'pounds' } },
};

export const enUS: Catalog = { language: 'en-US', sentences: PROMPTS, money, lessThanAMinute: 'less than a minute' };

/** British English: the same sentences, with the key named as a British caller knows it. */
export const enGB: Catalog = {
  language: 'en-GB',
  sentences: {
    ...PROMPTS,
    enterPassword: 'Please enter your password, followed by the hash key.',
    enterDestination: 'Please dial the number you want to call, followed by the hash key.',
  },
  money,
  lessThanAMinute: 'less than a minute',
};
