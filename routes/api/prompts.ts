import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { standardErrors } from '../http/schemas';
import type { SpokenMoney, SpokenTime } from '../../src/callflow/i18n/catalog';
import { CATALOGS } from '../../src/callflow/i18n/catalogs';
import { LANGUAGES, VOICES } from '../../src/callflow/i18n/languages';
import { PROMPT_KEYS } from '../../src/callflow/i18n/prompt-keys';

/** Placeholders where a sentence says a value (the people who record prompts record the words around it). */
const AMOUNT = '{amount}' as SpokenMoney;
const DURATION = '{duration}' as SpokenTime;

const promptOut = z
  .object({
    key: z.string(),
    value: z.enum(['amount', 'duration']).nullable().meta({ description: 'the value said after a recording of this prompt, if any' }),
    text: z.record(z.string(), z.string()).meta({ description: 'language -> the sentence, with {amount} or {duration} where the value goes' }),
  })
  .strict();

const promptsOut = z
  .object({
    languages: z.array(z.object({ language: z.string(), voices: z.array(z.string()) }).strict()),
    prompts: z.array(promptOut),
  })
  .strict()
  .meta({ id: 'PromptCatalog' });

function textOf(key: (typeof PROMPT_KEYS)[number]): Record<string, string> {
  return Object.fromEntries(
    LANGUAGES.map((lang) => {
      const s = CATALOGS[lang].sentences;
      const text = key === 'yourCredit' ? s.yourCredit(AMOUNT) : key === 'talkTime' ? s.talkTime(DURATION) : s[key];
      return [lang, text];
    }),
  );
}

/** Built once: the catalogs are code. */
const BODY: z.infer<typeof promptsOut> = {
  languages: LANGUAGES.map((language) => ({ language, voices: [...VOICES[language]] })),
  prompts: PROMPT_KEYS.map((key) => ({ key, value: key === 'yourCredit' ? 'amount' : key === 'talkTime' ? 'duration' : null, text: textOf(key) })),
};

export const promptRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/prompts',
    summary: 'The prompt keys (for callback.prompts) with their text in every language, and the voices per language',
    tag: 'prompts',
    access: 'tenant',
    responses: { 200: { description: 'the catalog', schema: promptsOut }, 401: standardErrors[401] },
    handler: async () => ({ status: 200, body: BODY }),
  }),
];
