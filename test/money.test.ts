import assert from 'node:assert/strict';
import { formatMoney, parseMoney } from '../src/money';

describe('money as integers', () => {
  it('when decimal strings are parsed, then they become exact ten-thousandths', () => {
    assert.equal(parseMoney('10.00'), 100_000);
    assert.equal(parseMoney('0.0125'), 125);
    assert.equal(parseMoney('-2.50'), -25_000);
    assert.equal(parseMoney('7'), 70_000);
    assert.equal(parseMoney('-0.00'), 0);
  });

  it('when the text is not a plain decimal with at most four places, then it is refused', () => {
    for (const bad of ['1e3', '0.00001', '1,5', '', '+1', '--1', 'NaN', '1.', '.5', '1234567890123']) {
      assert.equal(parseMoney(bad), undefined, bad);
    }
  });

  it('when amounts are formatted, then two to four decimals are shown', () => {
    assert.equal(formatMoney(100_000), '10.00');
    assert.equal(formatMoney(125), '0.0125');
    assert.equal(formatMoney(-25_000), '-2.50');
    assert.equal(formatMoney(97_000), '9.70');
    assert.equal(formatMoney(0), '0.00');
    assert.equal(formatMoney(12_345), '1.2345');
  });
});
