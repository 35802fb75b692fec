import { spokenDuration as durationIn, spokenMoney as moneyIn } from './i18n/speaker';

/**
 * Amounts and durations in English, for code that speaks without an extension's language. The call
 * flow speaks through its `Speaker` (./i18n/speaker.ts), which does the same in every catalog.
 * A text-to-speech engine reads "12 dollars and 50 cents" correctly in every voice, while "$12.50"
 * or "12.50 USD" come out differently per engine.
 */
export function spokenMoney(amount: number, currency: string): string {
  return moneyIn('en-US', { amount, currency });
}

export function spokenDuration(seconds: number): string {
  return durationIn('en-US', seconds);
}
