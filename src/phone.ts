import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Phone numbers are stored and compared as E.164. Parsing and validity come from libphonenumber
 * (metadata for every country), not from a regex that would accept numbers no network routes.
 */
export function toE164(input: string, defaultCountry?: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry);
  if (!parsed?.isValid()) return undefined;
  return parsed.number;
}

export function countryOf(e164: string): CountryCode | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}
