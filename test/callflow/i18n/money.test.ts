import assert from 'node:assert/strict';
import { LANGUAGES, type Language } from '../../../src/callflow/i18n/languages';
import { CURRENCY_CODES } from '../../../src/currencies';
import { spokenMoney } from '../../../src/callflow/i18n/speaker';

/**
 * Money said in every catalog's language, for 0, 1, 2, 5, 21, 0.01, 1.50 and 1000 units (as stored:
 * ten-thousandths). EUR and USD have named cents in every catalog; JPY has no minor unit (0.01 is
 * 0 yen, never rounded up); KWD has three decimals and no spoken minor unit (a decimal number).
 */
const AMOUNTS = [0, 10_000, 20_000, 50_000, 210_000, 100, 15_000, 10_000_000];
const NB = '\u00a0';

const EXPECT: Record<Language, Record<string, string[]>> = {
  'en-US': {
    EUR: ['0 euros', '1 euro', '2 euros', '5 euros', '21 euros', '1 cent', '1 euro and 50 cents', '1,000 euros'],
    USD: ['0 dollars', '1 dollar', '2 dollars', '5 dollars', '21 dollars', '1 cent', '1 dollar and 50 cents', '1,000 dollars'],
    JPY: ['0 Japanese yen', '1 Japanese yen', '2 Japanese yen', '5 Japanese yen', '21 Japanese yen', '0 Japanese yen', '1 Japanese yen', '1,000 Japanese yen'],
    KWD: ['0 Kuwaiti dinars', '1 Kuwaiti dinar', '2 Kuwaiti dinars', '5 Kuwaiti dinars', '21 Kuwaiti dinars', '0.01 Kuwaiti dinars', '1.50 Kuwaiti dinars', '1,000 Kuwaiti dinars'],
  },
  'en-GB': {
    GBP: ['0 pounds', '1 pound', '2 pounds', '5 pounds', '21 pounds', '1 penny', '1 pound and 50 pence', '1,000 pounds'],
    EUR: ['0 euros', '1 euro', '2 euros', '5 euros', '21 euros', '1 cent', '1 euro and 50 cents', '1,000 euros'],
    JPY: ['0 Japanese yen', '1 Japanese yen', '2 Japanese yen', '5 Japanese yen', '21 Japanese yen', '0 Japanese yen', '1 Japanese yen', '1,000 Japanese yen'],
  },
  'es-ES': {
    EUR: ['0 euros', '1 euro', '2 euros', '5 euros', '21 euros', '1 céntimo', '1 euro con 50 céntimos', '1000 euros'],
    USD: [
      '0 dólares estadounidenses',
      '1 dólar estadounidense',
      '2 dólares estadounidenses',
      '5 dólares estadounidenses',
      '21 dólares estadounidenses',
      '1 centavo',
      '1 dólar estadounidense con 50 centavos',
      '1000 dólares estadounidenses',
    ],
    KWD: [
      '0 dinares kuwaitíes',
      '1 dinar kuwaití',
      '2 dinares kuwaitíes',
      '5 dinares kuwaitíes',
      '21 dinares kuwaitíes',
      '0,01 dinares kuwaitíes',
      '1,50 dinares kuwaitíes',
      '1000 dinares kuwaitíes',
    ],
  },
  'es-MX': {
    MXN: ['0 pesos', '1 peso', '2 pesos', '5 pesos', '21 pesos', '1 centavo', '1 peso con 50 centavos', '1,000 pesos'],
    USD: [
      '0 dólares estadounidenses',
      '1 dólar estadounidense',
      '2 dólares estadounidenses',
      '5 dólares estadounidenses',
      '21 dólares estadounidenses',
      '1 centavo',
      '1 dólar estadounidense con 50 centavos',
      '1,000 dólares estadounidenses',
    ],
    JPY: ['0 yenes japoneses', '1 yen japonés', '2 yenes japoneses', '5 yenes japoneses', '21 yenes japoneses', '0 yenes japoneses', '1 yen japonés', '1,000 yenes japoneses'],
  },
  'fr-FR': {
    // French: 0 and 1 take the singular ("0 euro").
    EUR: ['0 euro', '1 euro', '2 euros', '5 euros', '21 euros', '1 centime', '1 euro et 50 centimes', `1${NB}000 euros`],
    USD: [
      '0 dollar des États-Unis',
      '1 dollar des États-Unis',
      '2 dollars des États-Unis',
      '5 dollars des États-Unis',
      '21 dollars des États-Unis',
      '1 cent',
      '1 dollar des États-Unis et 50 cents',
      `1${NB}000 dollars des États-Unis`,
    ],
    JPY: ['0 yen japonais', '1 yen japonais', '2 yens japonais', '5 yens japonais', '21 yens japonais', '0 yen japonais', '1 yen japonais', `1${NB}000 yens japonais`],
  },
  'de-DE': {
    EUR: ['0 Euro', '1 Euro', '2 Euro', '5 Euro', '21 Euro', '1 Cent', '1 Euro und 50 Cent', '1.000 Euro'],
    USD: ['0 US-Dollar', '1 US-Dollar', '2 US-Dollar', '5 US-Dollar', '21 US-Dollar', '1 Cent', '1 US-Dollar und 50 Cent', '1.000 US-Dollar'],
    KWD: ['0 Kuwait-Dinar', '1 Kuwait-Dinar', '2 Kuwait-Dinar', '5 Kuwait-Dinar', '21 Kuwait-Dinar', '0,01 Kuwait-Dinar', '1,50 Kuwait-Dinar', '1.000 Kuwait-Dinar'],
  },
  'it-IT': {
    EUR: ['0 euro', '1 euro', '2 euro', '5 euro', '21 euro', '1 centesimo', '1 euro e 50 centesimi', '1000 euro'],
    USD: [
      '0 dollari statunitensi',
      '1 dollaro statunitense',
      '2 dollari statunitensi',
      '5 dollari statunitensi',
      '21 dollari statunitensi',
      '1 centesimo',
      '1 dollaro statunitense e 50 centesimi',
      '1000 dollari statunitensi',
    ],
    JPY: ['0 yen giapponesi', '1 yen giapponese', '2 yen giapponesi', '5 yen giapponesi', '21 yen giapponesi', '0 yen giapponesi', '1 yen giapponese', '1000 yen giapponesi'],
  },
  'pt-BR': {
    BRL: ['0 real', '1 real', '2 reais', '5 reais', '21 reais', '1 centavo', '1 real e 50 centavos', '1.000 reais'],
    EUR: ['0 Euro', '1 Euro', '2 Euros', '5 Euros', '21 Euros', '1 centavo', '1 Euro e 50 centavos', '1.000 Euros'],
    KWD: [
      '0 Dinar kuwaitiano',
      '1 Dinar kuwaitiano',
      '2 Dinares kuwaitianos',
      '5 Dinares kuwaitianos',
      '21 Dinares kuwaitianos',
      '0,01 Dinar kuwaitiano',
      '1,50 Dinar kuwaitiano',
      '1.000 Dinares kuwaitianos',
    ],
  },
  'nl-NL': {
    EUR: ['0 euro', '1 euro', '2 euro', '5 euro', '21 euro', '1 cent', '1 euro en 50 cent', '1.000 euro'],
    USD: [
      '0 Amerikaanse dollar',
      '1 Amerikaanse dollar',
      '2 Amerikaanse dollar',
      '5 Amerikaanse dollar',
      '21 Amerikaanse dollar',
      '1 cent',
      '1 Amerikaanse dollar en 50 cent',
      '1.000 Amerikaanse dollar',
    ],
    JPY: ['0 Japanse yen', '1 Japanse yen', '2 Japanse yen', '5 Japanse yen', '21 Japanse yen', '0 Japanse yen', '1 Japanse yen', '1.000 Japanse yen'],
  },
  'pl-PL': {
    // one / few / many: 1 złoty, 2 złote, 5 and 21 złotych; grosz / grosze / groszy the same way.
    PLN: ['0 złotych', '1 złoty', '2 złote', '5 złotych', '21 złotych', '1 grosz', '1 złoty i 50 groszy', '1000 złotych'],
    USD: [
      '0 dolarów amerykańskich',
      '1 dolar amerykański',
      '2 dolary amerykańskie',
      '5 dolarów amerykańskich',
      '21 dolarów amerykańskich',
      '1 cent',
      '1 dolar amerykański i 50 centów',
      '1000 dolarów amerykańskich',
    ],
    EUR: ['0 euro', '1 euro', '2 euro', '5 euro', '21 euro', '1 cent', '1 euro i 50 centów', '1000 euro'],
    KWD: [
      '0 dinarów kuwejckich',
      '1 dinar kuwejcki',
      '2 dinary kuwejckie',
      '5 dinarów kuwejckich',
      '21 dinarów kuwejckich',
      '0,01 dinara kuwejckiego',
      '1,50 dinara kuwejckiego',
      '1000 dinarów kuwejckich',
    ],
  },
};

describe('money said in every language', () => {
  for (const [language, currencies] of Object.entries(EXPECT) as [Language, Record<string, string[]>][]) {
    it(`when amounts in ${Object.keys(currencies).join(', ')} are said in ${language}, then each has its words and plural forms`, () => {
      for (const [currency, expected] of Object.entries(currencies)) {
        const said = AMOUNTS.map((amount) => spokenMoney(language, { amount, currency }));
        assert.deepEqual(said, expected, `${language} ${currency}`);
      }
    });
  }

  it('when Polish numbers end in 2 to 4 (but not 12 to 14), then the "few" form, otherwise "many"', () => {
    const said = [2, 3, 4, 12, 13, 22, 24, 25, 102].map((n) => spokenMoney('pl-PL', { amount: n * 10_000, currency: 'PLN' }));
    assert.deepEqual(said, ['2 złote', '3 złote', '4 złote', '12 złotych', '13 złotych', '22 złote', '24 złote', '25 złotych', '102 złote']);
    assert.equal(spokenMoney('pl-PL', { amount: 2_200, currency: 'PLN' }), '22 grosze');
    assert.equal(spokenMoney('pl-PL', { amount: 1_200, currency: 'PLN' }), '12 groszy');
  });

  it('when a Kuwaiti amount has three decimals, then the third is said, and a fourth (ten-thousandths) is floored', () => {
    assert.equal(spokenMoney('en-US', { amount: 12_345, currency: 'KWD' }), '1.234 Kuwaiti dinars');
    assert.equal(spokenMoney('en-US', { amount: 9_999, currency: 'JPY' }), '0 Japanese yen');
  });

  it('when the credit is negative, then the language\'s "minus" and never more than the debt', () => {
    assert.equal(spokenMoney('fr-FR', { amount: -15_000, currency: 'EUR' }), 'moins 1 euro et 50 centimes');
    assert.equal(spokenMoney('de-DE', { amount: -5, currency: 'EUR' }), 'minus 1 Cent');
    assert.equal(spokenMoney('pl-PL', { amount: -20_000, currency: 'PLN' }), 'minus 2 złote');
  });

  it('when any accepted currency is said in any language, then it has a name or its spelled letters, never the bare code', () => {
    for (const language of LANGUAGES) {
      for (const currency of CURRENCY_CODES) {
        const text = spokenMoney(language, { amount: 15_000, currency });
        assert.ok(/\d/.test(text) && !text.includes(currency), `${language} ${currency}: ${text}`);
      }
    }
  });
});
