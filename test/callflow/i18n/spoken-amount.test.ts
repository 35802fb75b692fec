import assert from 'node:assert/strict';
import { spokenAmount, type MoneyWords } from '../../../src/callflow/i18n/spoken-amount';

/**
 * The money-saying rules on their own, with words written here instead of a catalog's, so each rule
 * (minor-unit names, name overrides, Intl names, flooring, unknown codes) is seen by itself.
 * Amounts are integer ten-thousandths.
 */

const EN: MoneyWords = {
  locale: 'en-US',
  and: 'and',
  minus: 'minus',
  minorNames: { EUR: { one: 'cent', other: 'cents' } },
  currencyNames: { USD: { one: 'buck', other: 'bucks' } },
};

const PL: MoneyWords = {
  locale: 'pl-PL',
  and: 'i',
  minus: 'minus',
  minorNames: { PLN: { one: 'grosz', few: 'grosze', many: 'groszy', other: 'grosza' } },
  currencyNames: { PLN: { one: 'złoty', few: 'złote', many: 'złotych', other: 'złotego' } },
};

const say = (words: MoneyWords, amount: number, currency: string) => spokenAmount(words, { amount, currency });

describe('spoken amount: the rules behind every catalog (pure)', () => {
  it('when the currency has a minor-unit name, then whole units "and" minor units, each in its plural form', () => {
    assert.equal(say(EN, 10_100, 'EUR'), '1 euro and 1 cent');
    assert.equal(say(EN, 25_300, 'EUR'), '2 euros and 53 cents');
  });

  it('when less than one unit, then the minor units alone', () => {
    assert.equal(say(EN, 5_000, 'EUR'), '50 cents');
  });

  it("when the catalog overrides the name but names no minor unit, then a decimal number and the override's plural", () => {
    assert.equal(say(EN, 10_000, 'USD'), '1 buck');
    assert.equal(say(EN, 125_000, 'USD'), '12.50 bucks');
  });

  it("when neither name nor minor unit is the catalog's, then Intl's name with the needed decimals", () => {
    assert.equal(say(EN, 125_000, 'CHF'), '12.50 Swiss francs');
    assert.equal(say(EN, 20_000, 'CHF'), '2 Swiss francs');
  });

  it('when a part of the smallest coin remains, then it is floored, never said as more', () => {
    assert.equal(say(EN, 99, 'USD'), '0 bucks');
    assert.equal(say(EN, 10_199, 'EUR'), '1 euro and 1 cent');
    assert.equal(say(EN, 9_999, 'JPY'), '0 Japanese yen');
    // KWD has three decimals: 0.0019 is 0.001.
    assert.equal(say(EN, 19, 'KWD'), '0.001 Kuwaiti dinars');
  });

  it('when the language has several plural forms, then each number gets its own (Polish one, few, many)', () => {
    assert.equal(say(PL, 10_100, 'PLN'), '1 złoty i 1 grosz');
    assert.equal(say(PL, 22_200, 'PLN'), '2 złote i 22 grosze');
    assert.equal(say(PL, 50_500, 'PLN'), '5 złotych i 5 groszy');
    assert.equal(say(PL, 120_000, 'PLN'), '12 złotych');
  });

  it('when the amount is negative, then "minus" and the debt floored away from zero (never less than owed)', () => {
    assert.equal(say(EN, -125_000, 'EUR'), 'minus 12 euros and 50 cents');
    assert.equal(say(EN, -1, 'EUR'), 'minus 1 cent');
  });

  it('when the code is not one the API accepts, then whole units floored and the letters spelled, with "minus" for a debt', () => {
    assert.equal(say(EN, 125_000, 'XYZ'), '12 X Y Z');
    assert.equal(say(EN, -15_000, 'XYZ'), 'minus 2 X Y Z');
  });

  it('when the code has spaces or lower case, then it is the same currency', () => {
    assert.equal(say(EN, 10_000, ' eur '), '1 euro');
  });

  it('when the amount is not an integer count of ten-thousandths, then a RangeError', () => {
    for (const bad of [0.5, Number.NaN, Number.NEGATIVE_INFINITY, 2 ** 53]) assert.throws(() => say(EN, bad, 'EUR'), RangeError);
  });
});
