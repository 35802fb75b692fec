import type { TwimlNode } from './twiml-parse';

/**
 * The verb schema of the TwiML the simulator plays: each verb's attributes and allowed children, from
 * Twilio's docs. These structural rules always apply, with or without Twilio's XSD (which is not on npm
 * and so is absent from a user's clone); the XSD, when present, adds the rest.
 */
const VERBS: Record<string, { attrs: string[]; children: string[]; text: 'none' | 'optional' | 'required' }> = {
  Reject: { attrs: ['reason'], children: [], text: 'none' },
  Say: { attrs: ['voice', 'language', 'loop'], children: ['break', 'emphasis', 'lang', 'p', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w'], text: 'optional' },
  Play: { attrs: ['loop', 'digits'], children: [], text: 'optional' },
  Pause: { attrs: ['length'], children: [], text: 'none' },
  Gather: {
    attrs: [
      'input',
      'action',
      'method',
      'timeout',
      'finishOnKey',
      'numDigits',
      'actionOnEmptyResult',
      'language',
      'hints',
      'speechTimeout',
      'speechModel',
      'profanityFilter',
      'enhanced',
      'partialResultCallback',
      'partialResultCallbackMethod',
      'bargeIn',
      'debug',
      'dtmfDetection',
      'maxSpeechTime',
    ],
    children: ['Say', 'Play', 'Pause'],
    text: 'none',
  },
  Dial: {
    attrs: [
      'action',
      'method',
      'timeout',
      'hangupOnStar',
      'timeLimit',
      'callerId',
      'record',
      'trim',
      'recordingStatusCallback',
      'recordingStatusCallbackMethod',
      'recordingStatusCallbackEvent',
      'answerOnBridge',
      'ringTone',
      'recordingTrack',
      'sequential',
      'referUrl',
      'referMethod',
      'events',
    ],
    children: ['Number', 'Sip', 'Client', 'Conference', 'Queue', 'Sim', 'Application'],
    text: 'optional',
  },
  Redirect: { attrs: ['method'], children: [], text: 'required' },
  Hangup: { attrs: [], children: [], text: 'none' },
};
const NOUNS: Record<string, string[]> = {
  Number: [
    'sendDigits',
    'url',
    'method',
    'statusCallbackEvent',
    'statusCallback',
    'statusCallbackMethod',
    'byoc',
    'machineDetection',
    'amdStatusCallback',
    'amdStatusCallbackMethod',
    'machineDetectionTimeout',
  ],
  Sip: [
    'username',
    'password',
    'url',
    'method',
    'statusCallbackEvent',
    'statusCallback',
    'statusCallbackMethod',
    'machineDetection',
    'amdStatusCallback',
    'machineDetectionTimeout',
  ],
};
const NUMERIC: Record<string, string[]> = {
  Say: ['loop'],
  Play: ['loop'],
  Pause: ['length'],
  Gather: ['timeout', 'numDigits'],
  Dial: ['timeout', 'timeLimit'],
};

/** What the simulator checks on its own (always; Twilio's XSD adds the rest when present). */
export function structuralErrors(tree: TwimlNode): string[] {
  const errors: string[] = [];
  tree.children.forEach((verb, i) => {
    const spec = VERBS[verb.name];
    if (!spec) {
      errors.push(`<${verb.name}> is not a TwiML verb the simulator knows (Twilio: 12100 / schema error)`);
      return;
    }
    for (const a of Object.keys(verb.attrs)) if (!spec.attrs.includes(a)) errors.push(`<${verb.name}>: unknown attribute "${a}"`);
    for (const a of NUMERIC[verb.name] ?? []) {
      const v = verb.attrs[a];
      if (v !== undefined && !/^\d+$/.test(v)) errors.push(`<${verb.name}>@${a}: "${v}" is not a whole number`);
    }
    for (const a of ['action']) if (verb.attrs[a] !== undefined) urlError(verb.attrs[a]!, `<${verb.name}>@${a}`, errors);
    if (verb.attrs.method !== undefined && !/^(GET|POST)$/.test(verb.attrs.method)) errors.push(`<${verb.name}>@method: must be GET or POST`);
    if (verb.name === 'Reject' && i > 0) errors.push('<Reject> must be the first verb');
    if (verb.name === 'Reject' && verb.attrs.reason !== undefined && !['rejected', 'busy'].includes(verb.attrs.reason)) {
      errors.push(`<Reject>@reason: "${verb.attrs.reason}" must be rejected or busy`);
    }
    if (spec.text === 'required' && !verb.text) errors.push(`<${verb.name}> needs a URL`);
    if (verb.name === 'Redirect' && verb.text) urlError(verb.text, '<Redirect>', errors);
    if (verb.name === 'Play' && verb.text) urlError(verb.text, '<Play>', errors);
    for (const child of verb.children) {
      if (!spec.children.includes(child.name)) {
        errors.push(`<${child.name}> is not allowed in <${verb.name}>`);
        continue;
      }
      if (verb.name === 'Gather') {
        const cs = VERBS[child.name]!;
        for (const a of Object.keys(child.attrs)) if (!cs.attrs.includes(a)) errors.push(`<Gather><${child.name}>: unknown attribute "${a}"`);
        if (child.name === 'Play' && child.text) urlError(child.text, '<Gather><Play>', errors);
      }
      if (verb.name === 'Dial' && NOUNS[child.name]) {
        for (const a of Object.keys(child.attrs)) if (!NOUNS[child.name]!.includes(a)) errors.push(`<Dial><${child.name}>: unknown attribute "${a}"`);
        if (child.name === 'Sip' && !/^sips?:/i.test(child.text)) errors.push(`<Dial><Sip>: "${child.text}" is not a sip: URI`);
        if (child.name === 'Number' && !/^\+?[0-9*#wW]+$/.test(child.text)) errors.push(`<Dial><Number>: "${child.text}" is not a phone number`);
      }
    }
  });
  return errors;
}

function urlError(value: string, where: string, errors: string[]): void {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') errors.push(`${where}: "${value}" must be http or https`);
  } catch {
    errors.push(`${where}: "${value}" is not an absolute URL`);
  }
}
