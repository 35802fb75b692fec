/** A word in each plural category a language uses (Intl.PluralRules picks the category). */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const rules = new Map<string, Intl.PluralRules>();

/** The form of `forms` for the integer `n` in `locale`. */
export function pluralForm(locale: string, n: number, forms: PluralForms): string {
  let r = rules.get(locale);
  if (!r) rules.set(locale, (r = new Intl.PluralRules(locale)));
  return forms[r.select(n)] ?? forms.other;
}

const numbers = new Map<string, Intl.NumberFormat>();

/**
 * An integer as the locale writes it ("1,000", "1.000", "1 000"). Narrow no-break spaces (French
 * grouping) become ordinary no-break spaces: not every engine treats U+202F as a space, and one that
 * does not reads "1 000" digit by digit.
 */
export function integerText(locale: string, n: number): string {
  let f = numbers.get(locale);
  if (!f) numbers.set(locale, (f = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })));
  return f.format(n).replace(/\u202f/g, '\u00a0');
}
