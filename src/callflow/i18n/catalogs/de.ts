import { one, type Catalog } from '../catalog';

/** Germany: "Sie", "Rautetaste", "PIN", and "Auf Wiederhören", which is how a phone call ends. */
export const deDE: Catalog = {
  language: 'de-DE',
  sentences: {
    enterPassword: 'Bitte geben Sie Ihre PIN ein und drücken Sie dann die Rautetaste.',
    wrongPassword: 'Die PIN ist nicht korrekt.',
    tooManyPasswordTries: 'Zu viele falsche Eingaben. Auf Wiederhören.',
    menu: 'Für Ihr Guthaben drücken Sie die 1. Für einen Anruf drücken Sie die 2.',
    invalidChoice: 'Diese Auswahl ist nicht gültig.',
    yourCredit: (amount) => `Ihr Guthaben beträgt ${amount}.`,
    enterDestination: 'Bitte wählen Sie die gewünschte Rufnummer und drücken Sie dann die Rautetaste.',
    nothingDialed: 'Es wurde keine Rufnummer gewählt. Auf Wiederhören.',
    invalidNumber: 'Diese Rufnummer ist ungültig.',
    deniedNumber: 'Anrufe zu dieser Rufnummer sind nicht erlaubt.',
    noRate: 'Anrufe zu diesem Ziel sind nicht möglich.',
    tryAgain: 'Bitte versuchen Sie es noch einmal.',
    noMoreTries: 'Auf Wiederhören.',
    noCredit: 'Ihr Guthaben reicht für diesen Anruf nicht aus. Auf Wiederhören.',
    talkTime: (duration) => `Sie können ${duration} telefonieren.`,
    connecting: 'Sie werden verbunden.',
    busy: 'Die gewählte Rufnummer ist besetzt.',
    noAnswer: 'Unter der gewählten Rufnummer meldet sich niemand.',
    failed: 'Die Verbindung konnte nicht hergestellt werden.',
    creditEnded: 'Ihr Guthaben ist aufgebraucht. Auf Wiederhören.',
    cannotPresentCallerId: 'Mit Ihren Einstellungen zur Rufnummernanzeige ist dieser Anruf nicht möglich. Auf Wiederhören.',
    goodbye: 'Auf Wiederhören.',
    sessionEnded: 'Dieser Anruf ist beendet. Auf Wiederhören.',
  },
  money: {
    and: 'und',
    minus: 'minus',
    minorNames: { EUR: one('Cent'), USD: one('Cent'), CHF: one('Rappen'), GBP: { one: 'Penny', other: 'Pence' } },
    currencyNames: {},
  },
  lessThanAMinute: 'weniger als eine Minute',
};
