import type { Catalog, Sentences } from '../catalog';

/** Spain: "usted", "pulse", "almohadilla", "saldo". */
const spain: Sentences = {
  enterPassword: 'Introduzca su contraseña, seguida de la tecla almohadilla.',
  wrongPassword: 'La contraseña no es correcta.',
  tooManyPasswordTries: 'Demasiados intentos fallidos. Adiós.',
  menu: 'Pulse 1 para consultar su saldo. Pulse 2 para hacer una llamada.',
  invalidChoice: 'Esa opción no es válida.',
  yourCredit: (amount) => `Su saldo es de ${amount}.`,
  enterDestination: 'Marque el número al que desea llamar, seguido de la tecla almohadilla.',
  nothingDialed: 'No ha marcado ningún número. Adiós.',
  invalidNumber: 'Ese número no es válido.',
  deniedNumber: 'No se permiten llamadas a ese número.',
  noRate: 'Las llamadas a ese destino no están disponibles.',
  tryAgain: 'Inténtelo de nuevo.',
  noMoreTries: 'Adiós.',
  noCredit: 'No tiene saldo suficiente para esta llamada. Adiós.',
  talkTime: (duration) => `Puede hablar durante ${duration}.`,
  connecting: 'Le estamos conectando.',
  busy: 'El número al que llama está ocupado.',
  noAnswer: 'El número al que llama no contesta.',
  failed: 'No se ha podido establecer la llamada.',
  creditEnded: 'Se ha agotado su saldo. Adiós.',
  cannotPresentCallerId: 'No se puede hacer esta llamada con su configuración de identificación de llamada. Adiós.',
  goodbye: 'Adiós.',
  sessionEnded: 'Esta llamada ha terminado. Adiós.',
};

/** Mexico: "presione", "tecla numeral", the preterite ("no marcó"). */
const mexico: Sentences = {
  ...spain,
  enterPassword: 'Ingrese su contraseña, seguida de la tecla numeral.',
  menu: 'Presione 1 para escuchar su saldo. Presione 2 para hacer una llamada.',
  enterDestination: 'Marque el número al que desea llamar, seguido de la tecla numeral.',
  nothingDialed: 'No marcó ningún número. Adiós.',
  tryAgain: 'Intente de nuevo.',
  busy: 'El número que marcó está ocupado.',
  noAnswer: 'El número que marcó no contesta.',
  failed: 'No se pudo completar la llamada.',
  creditEnded: 'Su saldo se terminó. Adiós.',
  cannotPresentCallerId: 'No es posible hacer esta llamada con su configuración de identificador de llamadas. Adiós.',
  sessionEnded: 'Esta llamada terminó. Adiós.',
};

const centimo = { one: 'céntimo', other: 'céntimos' };
const centavo = { one: 'centavo', other: 'centavos' };

export const esES: Catalog = {
  language: 'es-ES',
  sentences: spain,
  // "12 euros con 50 céntimos": "con" is how a price is said in Spanish.
  money: { and: 'con', minus: 'menos', minorNames: { EUR: centimo, USD: centavo, GBP: { one: 'penique', other: 'peniques' } }, currencyNames: {} },
  lessThanAMinute: 'menos de un minuto',
};

export const esMX: Catalog = {
  language: 'es-MX',
  sentences: mexico,
  money: {
    and: 'con',
    minus: 'menos',
    minorNames: { MXN: centavo, USD: centavo, EUR: centimo },
    // The home currency without the country: "pesos", not "pesos mexicanos".
    currencyNames: { MXN: { one: 'peso', other: 'pesos' } },
  },
  lessThanAMinute: 'menos de un minuto',
};
