import type { Catalog } from '../catalog';

const centavo = { one: 'centavo', other: 'centavos' };

/** Brazil: "você", "digite", "tecla jogo da velha" (how Brazilian phone menus name #), "ligação". */
export const ptBR: Catalog = {
  language: 'pt-BR',
  sentences: {
    enterPassword: 'Digite sua senha, seguida da tecla jogo da velha.',
    wrongPassword: 'A senha está incorreta.',
    tooManyPasswordTries: 'Muitas tentativas com a senha incorreta. Até logo.',
    menu: 'Para ouvir seu saldo, digite 1. Para fazer uma ligação, digite 2.',
    invalidChoice: 'Opção inválida.',
    yourCredit: (amount) => `Seu saldo é de ${amount}.`,
    enterDestination: 'Digite o número para o qual deseja ligar, seguido da tecla jogo da velha.',
    nothingDialed: 'Nenhum número foi digitado. Até logo.',
    invalidNumber: 'Esse número não é válido.',
    deniedNumber: 'Ligações para esse número não são permitidas.',
    noRate: 'Ligações para esse destino não estão disponíveis.',
    tryAgain: 'Tente novamente.',
    noMoreTries: 'Até logo.',
    noCredit: 'Você não tem saldo suficiente para esta ligação. Até logo.',
    talkTime: (duration) => `Você pode falar por ${duration}.`,
    connecting: 'Completando sua ligação.',
    busy: 'O número chamado está ocupado.',
    noAnswer: 'O número chamado não atende.',
    failed: 'Não foi possível completar a ligação.',
    creditEnded: 'Seu saldo acabou. Até logo.',
    cannotPresentCallerId: 'Não é possível fazer esta ligação com suas configurações de identificação de chamada. Até logo.',
    goodbye: 'Até logo.',
    sessionEnded: 'Esta ligação foi encerrada. Até logo.',
  },
  money: {
    and: 'e',
    minus: 'menos',
    minorNames: { BRL: centavo, USD: centavo, EUR: centavo },
    // The home currency without the country: "reais", not "Reais brasileiros".
    currencyNames: { BRL: { one: 'real', other: 'reais' } },
  },
  lessThanAMinute: 'menos de um minuto',
};
