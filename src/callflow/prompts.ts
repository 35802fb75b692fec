/**
 * Everything the service says on a call, in one place (so wording is reviewed once and can be
 * translated later). Short sentences: callers hear them, they do not read them.
 */
export const PROMPTS = {
  enterPassword: 'Please enter your password, followed by the pound key.',
  wrongPassword: 'That password is not correct.',
  tooManyPasswordTries: 'Too many wrong passwords. Goodbye.',
  menu: 'Press 1 to hear your credit. Press 2 to place a call.',
  invalidChoice: 'That is not a valid choice.',
  yourCredit: (amount: string) => `Your credit is ${amount}.`,
  enterDestination: 'Please dial the number you want to call, followed by the pound key.',
  nothingDialed: 'No number was dialed. Goodbye.',
  invalidNumber: 'That number is not valid.',
  deniedNumber: 'Calls to that number are not allowed.',
  noRate: 'Calls to that destination are not available.',
  tryAgain: 'Please try again.',
  noMoreTries: 'Goodbye.',
  noCredit: 'You do not have enough credit for this call. Goodbye.',
  talkTime: (duration: string) => `You can talk for ${duration}.`,
  connecting: 'Connecting your call.',
  busy: 'The number you called is busy.',
  noAnswer: 'The number you called did not answer.',
  failed: 'The call could not be connected.',
  creditEnded: 'Your credit has run out. Goodbye.',
  cannotPresentCallerId: 'This call cannot be placed with your caller ID settings. Goodbye.',
  goodbye: 'Goodbye.',
  sessionEnded: 'This call has ended. Goodbye.',
} as const;
