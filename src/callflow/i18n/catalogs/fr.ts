import type { Catalog } from '../catalog';

/** France: "vous", "tapez", "touche dièse", "code" for digits one keys in. */
export const frFR: Catalog = {
  language: 'fr-FR',
  sentences: {
    enterPassword: 'Veuillez saisir votre code, suivi de la touche dièse.',
    wrongPassword: 'Ce code est incorrect.',
    tooManyPasswordTries: 'Trop de codes incorrects. Au revoir.',
    menu: 'Pour connaître votre crédit, tapez 1. Pour passer un appel, tapez 2.',
    invalidChoice: "Ce choix n'est pas valide.",
    yourCredit: (amount) => `Votre crédit est de ${amount}.`,
    enterDestination: 'Composez le numéro que vous souhaitez appeler, suivi de la touche dièse.',
    nothingDialed: "Aucun numéro n'a été composé. Au revoir.",
    invalidNumber: "Ce numéro n'est pas valide.",
    deniedNumber: 'Les appels vers ce numéro ne sont pas autorisés.',
    noRate: 'Les appels vers cette destination ne sont pas disponibles.',
    tryAgain: 'Veuillez réessayer.',
    noMoreTries: 'Au revoir.',
    noCredit: 'Votre crédit est insuffisant pour cet appel. Au revoir.',
    talkTime: (duration) => `Vous pouvez parler pendant ${duration}.`,
    connecting: 'Nous vous mettons en relation.',
    busy: 'Le numéro que vous avez composé est occupé.',
    noAnswer: 'Le numéro que vous avez composé ne répond pas.',
    failed: "L'appel n'a pas pu aboutir.",
    creditEnded: 'Votre crédit est épuisé. Au revoir.',
    cannotPresentCallerId: 'Cet appel ne peut pas être passé avec vos réglages de présentation du numéro. Au revoir.',
    goodbye: 'Au revoir.',
    sessionEnded: 'Cet appel est terminé. Au revoir.',
  },
  money: {
    and: 'et',
    minus: 'moins',
    minorNames: {
      EUR: { one: 'centime', other: 'centimes' },
      CHF: { one: 'centime', other: 'centimes' },
      USD: { one: 'cent', other: 'cents' },
      CAD: { one: 'cent', other: 'cents' },
      GBP: { one: 'penny', other: 'pence' },
    },
    currencyNames: {},
  },
  lessThanAMinute: "moins d'une minute",
};
