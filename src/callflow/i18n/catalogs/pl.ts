import type { Catalog } from '../catalog';

/**
 * Poland: "Ty" as Polish phone menus address callers, "krzyżyk" for #. Sentences with a value put it
 * after a colon, in the nominative that Intl gives ("Dostępny czas rozmowy: 1 godzina"): "przez" would
 * need the accusative ("przez 1 godzinę"), which Intl's unit names do not have.
 */
export const plPL: Catalog = {
  language: 'pl-PL',
  sentences: {
    enterPassword: 'Wprowadź kod PIN i zatwierdź krzyżykiem.',
    wrongPassword: 'Kod PIN jest nieprawidłowy.',
    tooManyPasswordTries: 'Zbyt wiele błędnych prób. Do widzenia.',
    menu: 'Aby sprawdzić stan konta, naciśnij 1. Aby wykonać połączenie, naciśnij 2.',
    invalidChoice: 'Nieprawidłowy wybór.',
    yourCredit: (amount) => `Stan Twojego konta: ${amount}.`,
    enterDestination: 'Wybierz numer, z którym chcesz się połączyć, i zatwierdź krzyżykiem.',
    nothingDialed: 'Nie wybrano numeru. Do widzenia.',
    invalidNumber: 'Ten numer jest nieprawidłowy.',
    deniedNumber: 'Połączenia z tym numerem są niedozwolone.',
    noRate: 'Połączenia w tym kierunku są niedostępne.',
    tryAgain: 'Spróbuj ponownie.',
    noMoreTries: 'Do widzenia.',
    noCredit: 'Brak wystarczających środków na to połączenie. Do widzenia.',
    talkTime: (duration) => `Dostępny czas rozmowy: ${duration}.`,
    connecting: 'Trwa łączenie.',
    busy: 'Wybrany numer jest zajęty.',
    noAnswer: 'Wybrany numer nie odpowiada.',
    failed: 'Nie udało się nawiązać połączenia.',
    creditEnded: 'Środki na koncie się wyczerpały. Do widzenia.',
    cannotPresentCallerId: 'Tego połączenia nie można wykonać przy obecnych ustawieniach prezentacji numeru. Do widzenia.',
    goodbye: 'Do widzenia.',
    sessionEnded: 'To połączenie zostało zakończone. Do widzenia.',
  },
  money: {
    and: 'i',
    minus: 'minus',
    // one / few / many from PluralRules; "other" is the fraction form, unused for whole minor units.
    minorNames: {
      PLN: { one: 'grosz', few: 'grosze', many: 'groszy', other: 'grosza' },
      EUR: { one: 'cent', few: 'centy', many: 'centów', other: 'centa' },
      USD: { one: 'cent', few: 'centy', many: 'centów', other: 'centa' },
      GBP: { one: 'pens', few: 'pensy', many: 'pensów', other: 'pensa' },
    },
    // The home currency without CLDR's adjective: "10 złotych", not "10 złotych polskich".
    currencyNames: { PLN: { one: 'złoty', few: 'złote', many: 'złotych', other: 'złotego' } },
  },
  lessThanAMinute: 'mniej niż minuta',
};
