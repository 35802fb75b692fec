import { SMS_TWIML } from '../../src/callflow/sms-twiml';
import { twimlErrorHandler } from './twiml-error-handler';

/**
 * The messaging webhook's last resort, as the voice one: a failure still answers valid messaging TwiML
 * with 200 (a short "try again later" text), so the sender is told something and Twilio logs no 11200.
 */
export const messagingErrorHandler = twimlErrorHandler(SMS_TWIML.failed, 'MessageSid', 'error on messaging route; answered with the try-later text');
