import type { Catalog } from '../catalog';

/** Italy: the polite "Lei", "prema", "tasto cancelletto". */
export const itIT: Catalog = {
  language: 'it-IT',
  sentences: {
    enterPassword: 'Inserisca il suo codice, seguito dal tasto cancelletto.',
    wrongPassword: 'Il codice non è corretto.',
    tooManyPasswordTries: 'Troppi tentativi errati. Arrivederci.',
    menu: 'Per ascoltare il suo credito, prema 1. Per fare una chiamata, prema 2.',
    invalidChoice: 'La scelta non è valida.',
    yourCredit: (amount) => `Il suo credito è di ${amount}.`,
    enterDestination: 'Componga il numero che desidera chiamare, seguito dal tasto cancelletto.',
    nothingDialed: 'Non è stato composto alcun numero. Arrivederci.',
    invalidNumber: 'Il numero non è valido.',
    deniedNumber: 'Le chiamate verso questo numero non sono consentite.',
    noRate: 'Le chiamate verso questa destinazione non sono disponibili.',
    tryAgain: 'La preghiamo di riprovare.',
    noMoreTries: 'Arrivederci.',
    noCredit: 'Il suo credito non è sufficiente per questa chiamata. Arrivederci.',
    talkTime: (duration) => `Può parlare per ${duration}.`,
    connecting: 'La stiamo mettendo in comunicazione.',
    busy: 'Il numero chiamato è occupato.',
    noAnswer: 'Il numero chiamato non risponde.',
    failed: 'Non è stato possibile completare la chiamata.',
    creditEnded: 'Il suo credito è esaurito. Arrivederci.',
    cannotPresentCallerId: 'Questa chiamata non può essere effettuata con le sue impostazioni di identificativo del chiamante. Arrivederci.',
    goodbye: 'Arrivederci.',
    sessionEnded: 'La chiamata è terminata. Arrivederci.',
  },
  money: {
    and: 'e',
    minus: 'meno',
    minorNames: { EUR: { one: 'centesimo', other: 'centesimi' }, CHF: { one: 'centesimo', other: 'centesimi' }, USD: { one: 'centesimo', other: 'centesimi' } },
    currencyNames: {},
  },
  lessThanAMinute: 'meno di un minuto',
};
