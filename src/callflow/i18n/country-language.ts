import { countryOf } from '../../phone';
import { isLanguage, type Language } from './languages';

/**
 * `callback.language: "auto"`: the catalog for the country of the number called back. Countries are
 * listed only where one of our languages is what nearly everyone there speaks on the phone; a
 * multilingual country (Belgium, Switzerland, Canada as a whole...) or one without a catalog gets the
 * extension's `defaultLanguage`. Latin American Spanish and African Portuguese use the closest catalog
 * we have (es-MX, pt-BR).
 */
const TABLE: Readonly<Record<Language, string>> = {
  'en-US': 'US AS GU MP VI',
  'en-GB': 'GB IE IM JE GG GI AU NZ ZA MT',
  'es-ES': 'ES AD',
  'es-MX': 'MX AR BO CL CO CR CU DO EC SV GT HN NI PA PY PE PR UY VE',
  'fr-FR': 'FR MC GP MQ GF RE YT PM BL MF NC PF WF SN CI ML BF NE TG BJ GA CG CD GN',
  'de-DE': 'DE AT LI',
  'it-IT': 'IT SM VA',
  'pt-BR': 'BR PT AO MZ CV GW ST TL',
  'nl-NL': 'NL SR AW CW SX BQ',
  'pl-PL': 'PL',
};

export const COUNTRY_LANGUAGE: ReadonlyMap<string, Language> = new Map(
  Object.entries(TABLE).flatMap(([lang, countries]) => countries.split(' ').map((c) => [c, lang as Language] as const)),
);

/** The language to speak to `target` (E.164) for an extension's `language` and `defaultLanguage`. */
export function languageFor(language: string, defaultLanguage: string | null | undefined, target: string | null | undefined): Language {
  if (language !== 'auto') return isLanguage(language) ? language : 'en-US';
  const country = target ? countryOf(target) : undefined;
  const fromCountry = country ? COUNTRY_LANGUAGE.get(country) : undefined;
  if (fromCountry) return fromCountry;
  return defaultLanguage && isLanguage(defaultLanguage) ? defaultLanguage : 'en-US';
}
