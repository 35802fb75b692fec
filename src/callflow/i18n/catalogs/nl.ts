import { one, type Catalog } from '../catalog';

/** The Netherlands: "u", "toets", "hekje", "tegoed". */
export const nlNL: Catalog = {
  language: 'nl-NL',
  sentences: {
    enterPassword: 'Toets uw pincode in, gevolgd door een hekje.',
    wrongPassword: 'Die pincode is niet juist.',
    tooManyPasswordTries: 'Te vaak een verkeerde pincode. Tot ziens.',
    menu: 'Toets 1 om uw tegoed te horen. Toets 2 om te bellen.',
    invalidChoice: 'Dat is geen geldige keuze.',
    yourCredit: (amount) => `Uw tegoed is ${amount}.`,
    enterDestination: 'Toets het nummer dat u wilt bellen, gevolgd door een hekje.',
    nothingDialed: 'Er is geen nummer gekozen. Tot ziens.',
    invalidNumber: 'Dat nummer is niet geldig.',
    deniedNumber: 'Bellen naar dat nummer is niet toegestaan.',
    noRate: 'Bellen naar die bestemming is niet mogelijk.',
    tryAgain: 'Probeer het opnieuw.',
    noMoreTries: 'Tot ziens.',
    noCredit: 'Uw tegoed is niet voldoende voor dit gesprek. Tot ziens.',
    talkTime: (duration) => `U kunt ${duration} bellen.`,
    connecting: 'U wordt doorverbonden.',
    busy: 'Het nummer dat u belt is in gesprek.',
    noAnswer: 'Het nummer dat u belt wordt niet opgenomen.',
    failed: 'Het gesprek kon niet tot stand worden gebracht.',
    creditEnded: 'Uw tegoed is op. Tot ziens.',
    cannotPresentCallerId: 'Dit gesprek kan niet worden gevoerd met uw instellingen voor nummerweergave. Tot ziens.',
    goodbye: 'Tot ziens.',
    sessionEnded: 'Dit gesprek is beëindigd. Tot ziens.',
  },
  money: { and: 'en', minus: 'min', minorNames: { EUR: one('cent'), USD: one('cent') }, currencyNames: {} },
  lessThanAMinute: 'minder dan een minuut',
};
