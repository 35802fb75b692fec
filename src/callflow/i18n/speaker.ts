import type { Catalog, FixedKey, PromptKey, SpokenMoney, SpokenTime } from './catalog';
import { CATALOGS } from './catalogs';
import type { Language } from './languages';
import { spokenAmount, type Money } from './spoken-amount';
import { spokenTime } from './spoken-time';

/** One thing the caller hears: text for <Say>, or a recording for <Play>. */
export type PromptLine = string | { play: string };

/** Recorded prompts of an extension: prompt key -> absolute URL Twilio fetches. */
export type Recordings = Readonly<Partial<Record<PromptKey, string>>>;

export const spokenMoney = (language: Language, money: Money): SpokenMoney => spokenAmount({ locale: language, ...CATALOGS[language].money }, money) as SpokenMoney;

export const spokenDuration = (language: Language, seconds: number): SpokenTime => spokenTime(language, CATALOGS[language].lessThanAMinute, seconds) as SpokenTime;

/**
 * What the call flow says, in one language, with the extension's recordings in place of the sentences
 * they replace. A recorded sentence with a value plays the recording, then says the value alone
 * ("Your credit is" recorded, then "12 euros" spoken).
 */
export class Speaker {
  readonly catalog: Catalog;
  constructor(
    readonly language: Language,
    private readonly recordings: Recordings = {},
  ) {
    this.catalog = CATALOGS[language];
  }

  line(key: FixedKey): PromptLine {
    const url = this.recordings[key];
    return url ? { play: url } : this.catalog.sentences[key];
  }

  credit(money: Money): PromptLine[] {
    const amount = spokenMoney(this.language, money);
    const url = this.recordings.yourCredit;
    return url ? [{ play: url }, amount] : [this.catalog.sentences.yourCredit(amount)];
  }

  talkTime(seconds: number): PromptLine[] {
    const duration = spokenDuration(this.language, seconds);
    const url = this.recordings.talkTime;
    return url ? [{ play: url }, duration] : [this.catalog.sentences.talkTime(duration)];
  }
}
