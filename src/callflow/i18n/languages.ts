/**
 * The languages the service speaks (each has a prompt catalog in ./catalogs) and the Twilio voices
 * that speak each of them.
 *
 * Voices: Twilio's Amazon Polly voices ("Polly.<Name>", https://www.twilio.com/docs/voice/twiml/say/text-speech),
 * grouped by the language Amazon lists each voice under, plus Twilio's basic `man` and `woman` for the
 * languages those speak. Only names Twilio's TwiML schema accepts (`Polly.` and letters: the schema
 * has no pattern for the `-Neural` suffix or Google voices, so those are not offered).
 */
export const LANGUAGES = ['en-US', 'en-GB', 'es-ES', 'es-MX', 'fr-FR', 'de-DE', 'it-IT', 'pt-BR', 'nl-NL', 'pl-PL'] as const;
export type Language = (typeof LANGUAGES)[number];

export const isLanguage = (v: string): v is Language => (LANGUAGES as readonly string[]).includes(v);

const BASIC = ['man', 'woman'];
const polly = (...names: string[]) => names.map((n) => `Polly.${n}`);

export const VOICES: Readonly<Record<Language, readonly string[]>> = {
  'en-US': [...BASIC, ...polly('Danielle', 'Gregory', 'Ivy', 'Joanna', 'Joey', 'Justin', 'Kendra', 'Kevin', 'Kimberly', 'Matthew', 'Patrick', 'Ruth', 'Salli', 'Stephen')],
  'en-GB': [...BASIC, ...polly('Amy', 'Arthur', 'Brian', 'Emma')],
  'es-ES': [...BASIC, ...polly('Conchita', 'Enrique', 'Lucia', 'Sergio')],
  'es-MX': polly('Andres', 'Mia'),
  'fr-FR': [...BASIC, ...polly('Celine', 'Lea', 'Mathieu', 'Remi')],
  'de-DE': [...BASIC, ...polly('Daniel', 'Hans', 'Marlene', 'Vicki')],
  'it-IT': [...BASIC, ...polly('Adriano', 'Bianca', 'Carla', 'Giorgio')],
  'pt-BR': polly('Camila', 'Ricardo', 'Thiago', 'Vitoria'),
  'nl-NL': polly('Laura', 'Lotte', 'Ruben'),
  'pl-PL': polly('Ewa', 'Jacek', 'Jan', 'Maja', 'Ola'),
};

/** Why a voice cannot speak a language (null when it can, or when no voice is set: Twilio's default). */
export function voiceProblem(language: string, voice: string | null): string | null {
  if (voice === null) return null;
  if (language === 'auto') return 'must be null when language is "auto": the voice follows the language chosen for each caller';
  if (!isLanguage(language)) return null; // the language itself is reported
  if (VOICES[language].includes(voice)) return null;
  return `${voice} does not speak ${language}; voices for ${language}: ${VOICES[language].join(', ')}`;
}
