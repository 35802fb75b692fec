import assert from 'node:assert/strict';
import type { SpokenMoney, SpokenTime } from '../../../src/callflow/i18n/catalog';
import { CATALOGS } from '../../../src/callflow/i18n/catalogs';
import { LANGUAGES } from '../../../src/callflow/i18n/languages';
import { PROMPT_KEYS } from '../../../src/callflow/i18n/prompt-keys';
import { Speaker } from '../../../src/callflow/i18n/speaker';
import { PROMPTS } from '../../../src/callflow/prompts';

const english = Object.keys(CATALOGS['en-US'].sentences).sort();
const POUND_KEY: Record<string, RegExp> = {
  'en-US': /pound key/,
  'en-GB': /hash key/,
  'es-ES': /almohadilla/,
  'es-MX': /numeral/,
  'fr-FR': /dièse/,
  'de-DE': /Rautetaste/,
  'it-IT': /cancelletto/,
  'pt-BR': /jogo da velha/,
  'nl-NL': /hekje/,
  'pl-PL': /krzyżyk/,
};

describe('prompt catalogs', () => {
  it("when the English catalog is the call flow's PROMPTS, then every prompt key is one of its sentences", () => {
    assert.deepEqual(english, Object.keys(PROMPTS).sort());
    assert.deepEqual([...PROMPT_KEYS].sort(), english);
  });

  for (const language of LANGUAGES) {
    it(`when the ${language} catalog is compared with the English one, then it has exactly the same keys`, () => {
      const keys = Object.keys(CATALOGS[language].sentences).sort();
      assert.deepEqual(
        keys.filter((k) => !english.includes(k)),
        [],
        `${language} has keys English lacks`,
      );
      assert.deepEqual(
        english.filter((k) => !keys.includes(k)),
        [],
        `${language} lacks keys`,
      );
      assert.equal(CATALOGS[language].language, language);
    });

    it(`when ${language} asks for the pound key, then it names the key as that country says it`, () => {
      const s = CATALOGS[language].sentences;
      assert.match(s.enterPassword, POUND_KEY[language]!);
      assert.match(s.enterDestination, POUND_KEY[language]!);
    });
  }

  it('when a catalog is not English, then none of its fixed sentences is left in English', () => {
    for (const language of LANGUAGES.filter((l) => !l.startsWith('en'))) {
      const s = CATALOGS[language].sentences as unknown as Record<string, unknown>;
      const en = PROMPTS as unknown as Record<string, unknown>;
      const textOf = (v: unknown) => (typeof v === 'function' ? (v as (x: string) => string)('X') : String(v));
      for (const key of english) {
        const text = textOf(s[key]);
        const english = textOf(en[key]);
        assert.notEqual(text, english, `${language}.${key} is the English sentence`);
        assert.ok(text.trim().length > 1 && text.length < 160, `${language}.${key}: ${text}`);
      }
    }
  });

  it('when a sentence has a value, then every catalog says the value exactly once', () => {
    for (const language of LANGUAGES) {
      const s = CATALOGS[language].sentences;
      assert.equal(s.yourCredit('«A»' as SpokenMoney).split('«A»').length, 2, `${language}.yourCredit`);
      assert.equal(s.talkTime('«D»' as SpokenTime).split('«D»').length, 2, `${language}.talkTime`);
    }
  });

  it('when the French speaker says the credit and the talk time, then the values come from typed money and seconds', () => {
    const fr = new Speaker('fr-FR');
    assert.deepEqual(fr.credit({ amount: 125_000, currency: 'EUR' }), ['Votre crédit est de 12 euros et 50 centimes.']);
    assert.deepEqual(fr.talkTime(3_900), ['Vous pouvez parler pendant 1 heure et 5 minutes.']);
    assert.equal(fr.line('enterPassword'), 'Veuillez saisir votre code, suivi de la touche dièse.');
  });

  it('when a prompt is recorded, then it is played, and a recorded sentence with a value is followed by the value alone', () => {
    const de = new Speaker('de-DE', { enterPassword: 'https://s.example/pin.mp3', yourCredit: 'https://s.example/credit.mp3' });
    assert.deepEqual(de.line('enterPassword'), { play: 'https://s.example/pin.mp3' });
    assert.equal(de.line('menu'), CATALOGS['de-DE'].sentences.menu);
    assert.deepEqual(de.credit({ amount: 10_000, currency: 'EUR' }), [{ play: 'https://s.example/credit.mp3' }, '1 Euro']);
    assert.deepEqual(de.talkTime(120), ['Sie können 2 Minuten telefonieren.']);
  });
});
