/**
 * The ISO 4217 currencies the API accepts, with their minor units (digits after the decimal point):
 * the active codes of ISO 4217 list one, fund codes included, precious metals, SDR and testing codes
 * left out (they have no minor unit and nobody pays calls in gold). Grouped by minor unit because that
 * is what the code needs; every other code has 2.
 *
 * Written out rather than taken from `Intl` because ICU's digits follow CLDR's cash usage, which
 * differs from ISO 4217 for some codes (IQD 3 in ISO, 0 in CLDR; ...), and the list must not change
 * with the Node version. Money is stored as ten-thousandths of the major unit (src/money.ts), so every
 * minor unit here (at most 4: CLF, UYW) is exact.
 */
const MINOR_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const MINOR_3 = 'BHD IQD JOD KWD LYD OMR TND';
const MINOR_4 = 'CLF UYW';
const MINOR_2 =
  'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF ' +
  'CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ ' +
  'GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD ' +
  'MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON ' +
  'RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS ' +
  'UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG';

const table = new Map<string, number>();
for (const [codes, digits] of [
  [MINOR_0, 0],
  [MINOR_2, 2],
  [MINOR_3, 3],
  [MINOR_4, 4],
] as const) {
  for (const code of codes.split(' ')) table.set(code, digits);
}

/** Every accepted code, sorted: the API's enum. */
export const CURRENCY_CODES = [...table.keys()].sort() as [string, ...string[]];

/** Digits after the decimal point (JPY 0, EUR 2, KWD 3); undefined for a code the API does not accept. */
export function minorUnits(code: string): number | undefined {
  return table.get(code);
}
