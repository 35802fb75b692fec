import type { ExtensionDoc } from '../../domain/extensions';
import type { Speech } from '../twiml';
import { languageFor } from './country-language';
import type { PromptKey } from './catalog';
import { isPromptKey } from './prompt-keys';
import { Speaker, type Recordings } from './speaker';

/**
 * How an extension speaks to the number it calls back: the `<Say>` language and voice and the
 * speaker (catalog and recordings). Pure; built once per webhook from the extension already loaded.
 */
export function extensionSpeech(
  callback: Pick<ExtensionDoc['callback'], 'language' | 'defaultLanguage' | 'voice' | 'promptPlay'>,
  target: string | null | undefined,
  publicBaseUrl: string,
): { speech: Speech; talk: Speaker } {
  const language = languageFor(callback.language, callback.defaultLanguage, target);
  const recordings: Partial<Record<PromptKey, string>> = {};
  for (const [key, play] of Object.entries(callback.promptPlay ?? {})) {
    if (isPromptKey(key)) recordings[key] = play.startsWith('/') ? `${publicBaseUrl}${play}` : play;
  }
  // With "auto" the voice is null (the API refuses one): Twilio's default voice for the chosen language.
  const voice = callback.language === 'auto' ? null : callback.voice;
  return { speech: { language, voice }, talk: new Speaker(language, recordings as Recordings) };
}
