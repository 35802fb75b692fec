import assert from 'node:assert/strict';
import { COUNTRY_LANGUAGE, languageFor } from '../../../src/callflow/i18n/country-language';
import { LANGUAGES, type Language } from '../../../src/callflow/i18n/languages';
import { spokenDuration } from '../../../src/callflow/i18n/speaker';

/** 30 s, 1 min, 2 min, 5 min, 21 min, 1 h, 1 h 5 min, 2 h 1 min, 4 h. */
const SECONDS = [30, 60, 120, 300, 1_260, 3_600, 3_900, 7_260, 14_400];
const EXPECT: Record<Language, string[]> = {
  'en-US': ['less than a minute', '1 minute', '2 minutes', '5 minutes', '21 minutes', '1 hour', '1 hour and 5 minutes', '2 hours and 1 minute', '4 hours'],
  'en-GB': ['less than a minute', '1 minute', '2 minutes', '5 minutes', '21 minutes', '1 hour', '1 hour and 5 minutes', '2 hours and 1 minute', '4 hours'],
  'es-ES': ['menos de un minuto', '1 minuto', '2 minutos', '5 minutos', '21 minutos', '1 hora', '1 hora y 5 minutos', '2 horas y 1 minuto', '4 horas'],
  'es-MX': ['menos de un minuto', '1 minuto', '2 minutos', '5 minutos', '21 minutos', '1 hora', '1 hora y 5 minutos', '2 horas y 1 minuto', '4 horas'],
  'fr-FR': ["moins d'une minute", '1 minute', '2 minutes', '5 minutes', '21 minutes', '1 heure', '1 heure et 5 minutes', '2 heures et 1 minute', '4 heures'],
  'de-DE': ['weniger als eine Minute', '1 Minute', '2 Minuten', '5 Minuten', '21 Minuten', '1 Stunde', '1 Stunde und 5 Minuten', '2 Stunden und 1 Minute', '4 Stunden'],
  'it-IT': ['meno di un minuto', '1 minuto', '2 minuti', '5 minuti', '21 minuti', '1 ora', '1 ora e 5 minuti', '2 ore e 1 minuto', '4 ore'],
  'pt-BR': ['menos de um minuto', '1 minuto', '2 minutos', '5 minutos', '21 minutos', '1 hora', '1 hora e 5 minutos', '2 horas e 1 minuto', '4 horas'],
  'nl-NL': ['minder dan een minuut', '1 minuut', '2 minuten', '5 minuten', '21 minuten', '1 uur', '1 uur en 5 minuten', '2 uur en 1 minuut', '4 uur'],
  'pl-PL': ['mniej niż minuta', '1 minuta', '2 minuty', '5 minut', '21 minut', '1 godzina', '1 godzina i 5 minut', '2 godziny i 1 minuta', '4 godziny'],
};

describe('durations said in every language', () => {
  for (const language of LANGUAGES) {
    it(`when talk times are said in ${language}, then hours and minutes have their plural forms and the language's "and"`, () => {
      assert.deepEqual(
        SECONDS.map((s) => spokenDuration(language, s)),
        EXPECT[language],
      );
    });
  }

  it('when 179 seconds are left, then 2 minutes are promised, never 3 (floored)', () => {
    assert.equal(spokenDuration('de-DE', 179), '2 Minuten');
    assert.equal(spokenDuration('pl-PL', 22 * 60 + 59), '22 minuty');
  });
});

describe('language by the country of the number called back', () => {
  it('when the language is "auto", then the country of the E.164 number chooses the catalog', () => {
    assert.equal(languageFor('auto', 'en-GB', '+33612345678'), 'fr-FR');
    assert.equal(languageFor('auto', 'en-GB', '+4915123456789'), 'de-DE');
    assert.equal(languageFor('auto', 'en-GB', '+525512345678'), 'es-MX');
    assert.equal(languageFor('auto', 'en-GB', '+34612345678'), 'es-ES');
    assert.equal(languageFor('auto', 'en-US', '+48501234567'), 'pl-PL');
    assert.equal(languageFor('auto', 'en-US', '+5511987654321'), 'pt-BR');
    assert.equal(languageFor('auto', 'fr-FR', '+12025550143'), 'en-US');
  });

  it('when the country is multilingual or has no catalog, then the default language', () => {
    assert.equal(languageFor('auto', 'de-DE', '+41446681800'), 'de-DE'); // Switzerland
    assert.equal(languageFor('auto', 'nl-NL', '+3225551234'), 'nl-NL'); // Belgium
    assert.equal(languageFor('auto', 'it-IT', '+81312345678'), 'it-IT'); // Japan
    assert.equal(languageFor('auto', 'it-IT', null), 'it-IT');
  });

  it('when the language is fixed, then the number does not matter', () => {
    assert.equal(languageFor('fr-FR', 'de-DE', '+4915123456789'), 'fr-FR');
  });

  it('when the table is read, then every country is an ISO 3166 code listed once and mapped to a catalog', () => {
    const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    for (const [country, language] of COUNTRY_LANGUAGE) {
      assert.match(country, /^[A-Z]{2}$/);
      assert.ok(regions.of(country), `${country} is not a region`);
      assert.ok(LANGUAGES.includes(language));
    }
    assert.ok(COUNTRY_LANGUAGE.size > 60);
  });
});
