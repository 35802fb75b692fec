import { LANGUAGES, voiceProblem } from '../callflow/i18n/languages';
import type { FieldProblem } from '../errors';

/** The language rules that span fields of `callback` (checked on the merged result of a create or a patch). */
export interface LanguageSettings {
  language: string;
  defaultLanguage: string | null;
  voice: string | null;
}

export function languageProblems(c: LanguageSettings): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (c.language === 'auto' && !c.defaultLanguage) {
    out.push({ path: 'callback.defaultLanguage', message: `required when language is "auto" (for numbers of other countries): one of ${LANGUAGES.join(', ')}` });
  }
  const voice = voiceProblem(c.language, c.voice);
  if (voice) out.push({ path: 'callback.voice', message: voice });
  return out;
}
