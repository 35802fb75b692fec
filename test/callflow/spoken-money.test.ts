import assert from 'node:assert/strict';
import { spokenDuration, spokenMoney } from '../../src/callflow/spoken-money';

describe('spoken money', () => {
  const cases: { name: string; amount: number; currency: string; expect: string }[] = [
    { name: 'when dollars and cents, then both are said', amount: 125_000, currency: 'USD', expect: '12 dollars and 50 cents' },
    { name: 'when exactly one dollar, then the singular', amount: 10_000, currency: 'USD', expect: '1 dollar' },
    { name: 'when exactly one cent, then the cent alone', amount: 100, currency: 'USD', expect: '1 cent' },
    { name: 'when less than a dollar, then no "0 dollars and"', amount: 9_900, currency: 'USD', expect: '99 cents' },
    { name: 'when one dollar and one cent, then both singular', amount: 10_100, currency: 'USD', expect: '1 dollar and 1 cent' },
    { name: 'when zero, then "0 dollars" in the plural', amount: 0, currency: 'USD', expect: '0 dollars' },
    { name: 'when half a tenth of a cent, then it is truncated to 0', amount: 5, currency: 'USD', expect: '0 dollars' },
    { name: 'when 99.99 hundredths of a cent above a dollar, then never rounded up', amount: 10_099, currency: 'USD', expect: '1 dollar' },
    { name: 'when 12.3456, then the sub-cent part is dropped', amount: 123_456, currency: 'USD', expect: '12 dollars and 34 cents' },
    { name: 'when negative, then "minus"', amount: -125_000, currency: 'USD', expect: 'minus 12 dollars and 50 cents' },
    { name: 'when slightly negative, then floored to minus one cent, never shown as more', amount: -5, currency: 'USD', expect: 'minus 1 cent' },
    { name: 'when a thousand or more, then grouped with commas', amount: 12_500_000, currency: 'USD', expect: '1,250 dollars' },
    { name: 'when a million, then grouped with commas', amount: 1_234_567 * 10_000, currency: 'USD', expect: '1,234,567 dollars' },
    { name: 'when euros, then euros and cents', amount: 10_000, currency: 'EUR', expect: '1 euro' },
    { name: 'when several euros and cents, then plurals', amount: 25_300, currency: 'EUR', expect: '2 euros and 53 cents' },
    { name: 'when one penny, then "penny"', amount: 100, currency: 'GBP', expect: '1 penny' },
    { name: 'when pounds and pence, then "pence"', amount: 30_200, currency: 'GBP', expect: '3 pounds and 2 pence' },
    { name: 'when one pound, then the singular', amount: 10_000, currency: 'GBP', expect: '1 pound' },
    { name: 'when Canadian dollars, then plain dollars', amount: 20_000, currency: 'CAD', expect: '2 dollars' },
    { name: 'when Australian dollars, then plain dollars', amount: 20_500, currency: 'AUD', expect: '2 dollars and 5 cents' },
    { name: 'when the code is lower case, then it is still known', amount: 10_000, currency: 'eur', expect: '1 euro' },
    { name: 'when a currency without named cents, then a decimal number and its CLDR name', amount: 125_000, currency: 'ZAR', expect: '12.50 South African rand' },
    { name: 'when a code the API does not accept, then its letters are spelled', amount: 10_000, currency: 'XYZ', expect: '1 X Y Z' },
    { name: 'when the currency is empty, then the number alone', amount: 20_000, currency: '', expect: '2' },
    { name: 'when the code carries markup, then only its letters are said', amount: 10_000, currency: '<b>', expect: '1 B' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(spokenMoney(c.amount, c.currency), c.expect));
  }

  it('when the amount is not an integer count of ten-thousandths, then it is a programming error', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => spokenMoney(bad, 'USD'), RangeError);
  });

  it('when any amount is spoken, then it never says more than the amount', () => {
    for (let amount = -30_000; amount <= 30_000; amount += 37) {
      const text = spokenMoney(amount, 'USD');
      const m = /^(minus )?(?:(\d+) dollars?)?(?: and )?(?:(\d+) cents?)?$/.exec(text);
      assert.ok(m, text);
      const cents = (Number(m[2] ?? 0) * 100 + Number(m[3] ?? 0)) * (m[1] ? -1 : 1);
      assert.ok(cents * 100 <= amount && amount - cents * 100 < 100, `${amount} spoken as ${text}`);
    }
  });
});

describe('spoken duration', () => {
  const cases: { name: string; seconds: number; expect: string }[] = [
    { name: 'when under a minute, then "less than a minute"', seconds: 59, expect: 'less than a minute' },
    { name: 'when zero, then "less than a minute"', seconds: 0, expect: 'less than a minute' },
    { name: 'when exactly a minute, then the singular', seconds: 60, expect: '1 minute' },
    { name: 'when 179 seconds, then floored to 2 minutes, never promising more', seconds: 179, expect: '2 minutes' },
    { name: 'when exactly an hour, then "1 hour"', seconds: 3600, expect: '1 hour' },
    { name: 'when an hour and a minute, then both singular', seconds: 3660, expect: '1 hour and 1 minute' },
    { name: 'when 2 hours and 5 minutes, then both plural', seconds: 7500, expect: '2 hours and 5 minutes' },
    { name: 'when the 4 hour cap, then "4 hours"', seconds: 14_400, expect: '4 hours' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(spokenDuration(c.seconds), c.expect));
  }

  it('when the duration is NaN, then it is a programming error', () => {
    assert.throws(() => spokenDuration(Number.NaN), RangeError);
  });
});
