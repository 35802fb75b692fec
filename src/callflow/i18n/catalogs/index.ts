import type { Catalog } from '../catalog';
import type { Language } from '../languages';
import { deDE } from './de';
import { enGB, enUS } from './en';
import { esES, esMX } from './es';
import { frFR } from './fr';
import { itIT } from './it';
import { nlNL } from './nl';
import { plPL } from './pl';
import { ptBR } from './pt';

export const CATALOGS: Readonly<Record<Language, Catalog>> = {
  'en-US': enUS,
  'en-GB': enGB,
  'es-ES': esES,
  'es-MX': esMX,
  'fr-FR': frFR,
  'de-DE': deDE,
  'it-IT': itIT,
  'pt-BR': ptBR,
  'nl-NL': nlNL,
  'pl-PL': plPL,
};
