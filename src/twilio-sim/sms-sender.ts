import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { countryOf } from '../phone';
import { parseTwiml, type TwimlNode } from './twiml-parse';

/**
 * The phone sends an SMS: Twilio's incoming-message webhook to the service number's SMS URL, signed as
 * Twilio signs it, with the parameters Twilio sends for an SMS (MessageSid and its deprecated copies
 * SmsSid and SmsMessageSid, AccountSid, From, To, Body, NumMedia, NumSegments, SmsStatus, ApiVersion,
 * and the countries when known). The answer is read as messaging TwiML: the texts Twilio would send back.
 */

export interface SmsReply {
  messageSid: string;
  httpStatus: number;
  /** The texts of the reply's <Message> verbs, in order: what the phone receives. */
  messages: string[];
  /** What Twilio would log about the answer (not 200, not TwiML, verbs messaging TwiML has not). */
  errors: string[];
}

export const newMessageSid = (): string => `SM${randomBytes(16).toString('hex')}`;

/** Segments: 160 GSM-7 characters alone, 153 each once split (a header takes the rest); 70/67 in UCS-2. Printable ASCII stands for GSM-7 here (close enough for a simulator). */
function segments(body: string): number {
  const gsm = /^[\x20-\x7e\n\r]*$/.test(body);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  return body.length <= single ? 1 : Math.ceil(body.length / part);
}

/** The form Twilio posts for an incoming SMS. */
export function incomingSmsParams(p: { accountSid: string; from: string; to: string; body: string; messageSid: string }): Record<string, string> {
  const params: Record<string, string> = {
    ToCountry: countryOf(p.to) ?? '',
    FromCountry: countryOf(p.from) ?? '',
    SmsMessageSid: p.messageSid,
    NumMedia: '0',
    SmsSid: p.messageSid,
    SmsStatus: 'received',
    Body: p.body,
    To: p.to,
    NumSegments: String(segments(p.body)),
    MessageSid: p.messageSid,
    AccountSid: p.accountSid,
    From: p.from,
    ApiVersion: '2010-04-01',
  };
  return params;
}

/** The verbs of messaging TwiML, and the nouns a <Message> may hold. */
const MESSAGING_VERBS = new Set(['Message', 'Redirect']);
const MESSAGE_NOUNS = new Set(['Body', 'Media']);

/** The texts a messaging TwiML document sends, and what is wrong with it as messaging TwiML. */
export function readMessagingTwiml(xml: string): { messages: string[]; errors: string[] } {
  let tree: TwimlNode;
  try {
    tree = parseTwiml(xml);
  } catch (err) {
    return { messages: [], errors: [(err as Error).message] };
  }
  const errors: string[] = [];
  const messages: string[] = [];
  for (const verb of tree.children) {
    if (!MESSAGING_VERBS.has(verb.name)) errors.push(`<${verb.name}> is not a messaging TwiML verb`);
    if (verb.name !== 'Message') continue;
    const stray = verb.children.filter((c) => !MESSAGE_NOUNS.has(c.name));
    for (const s of stray) errors.push(`<Message> cannot hold <${s.name}>`);
    const body = verb.children.find((c) => c.name === 'Body');
    const text = body ? body.text : verb.text;
    if (!text && !verb.children.some((c) => c.name === 'Media')) errors.push('<Message> has no body and no media');
    messages.push(text);
  }
  return { messages, errors };
}

/** Posts one SMS to `<serviceUrl>/sms/incoming` and reads the reply. Twilio gives up after 15 s. */
export async function sendSms(p: { serviceUrl: string; accountSid: string; authToken: string; from: string; to: string; body: string; messageSid?: string }): Promise<SmsReply> {
  const messageSid = p.messageSid ?? newMessageSid();
  const url = `${p.serviceUrl.replace(/\/+$/, '')}/sms/incoming`;
  const params = incomingSmsParams({ ...p, messageSid });
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
      'X-Twilio-Signature': twilio.getExpectedTwilioSignature(p.authToken, url, params),
    },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (res.status !== 200) return { messageSid, httpStatus: res.status, messages: [], errors: [`HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`] };
  if (!/^(text|application)\/xml\b/.test(res.headers.get('content-type') ?? '')) {
    return { messageSid, httpStatus: res.status, messages: [], errors: [`the reply is ${res.headers.get('content-type')}, not TwiML`] };
  }
  return { messageSid, httpStatus: res.status, ...readMessagingTwiml(text) };
}
