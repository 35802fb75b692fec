import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { loadOrCreateLocalCredentials } from '../local-credentials';
import type { PartyBehaviour } from './dialed-party';
import { KeyQueue, scriptedKeys, type KeySource } from './keypads';
import { fastClock, realClock } from './sim-clock';
import { describeNotice, runScenario, type ScenarioOutcome } from './scenario';
import { runRequestScenario, runSmsScenario } from './request-scenarios';
import type { PhoneAnswer } from './phone-answer';
import { LocalTwilio } from './simulator';

/**
 * `npm run phone`: a terminal phone on the local Twilio simulator. It starts the simulator's REST
 * stand-in on SIMULATOR_PORT (the service in local mode sends its Twilio requests there), calls the
 * service number, shows the ring and the reject, rings again when the callback comes, and plays the
 * conversation. `--non-interactive --script "1234#,1,2,2025550186#"` runs it unattended (CI).
 * `--sms "<body>"` asks for the callback by SMS instead of ringing, `--request` through the API.
 */
const HELP = `usage: npm run phone -- [options]
  --from <E.164>          calling number (default +12025550143, the demo authorized caller)
  --to <E.164>            service number to call (default +12025550100, the demo number)
  --service <url>         the service's public base URL (default PUBLIC_BASE_URL or http://localhost:$PORT)
  --data-dir <dir>        the service's DATA_DIR, holding local-simulator.json (default DATA_DIR or ./data)
  --port <n>              simulator port (default SIMULATOR_PORT or 3999)
  --party answer|busy|no-answer|failed   the dialed party (default answer)
  --answer-after <s>      the dialed party answers after s seconds (default 3)
  --talk <s>              talk time once answered (default 20)
  --callback answer|busy|no-answer       this phone when the callback rings (non-interactive; default answer)
  --callback-wait <s>     how long to wait for the callback after the reject (default 30)
  --script "a,b,c"        keys per <Gather> in order ("" = no input, "." = wait 1 s, a leading "!" types over the prompt); implies scripted keys
  --non-interactive       no keyboard: scripted keys, auto-answer, print the transcript and exit
  --real-time             non-interactive but with real waits (default: virtual time on the phone side)
  --expect <outcome>      exit non-zero unless the run ends so: completed | rejected | callback-busy | callback-no-answer
  --api-key <key>         an API key (default ADMIN_API_KEY): the phone then shows what each leg was charged
  --sms "<body>"          instead of calling, send an SMS from --from to --to (a body that is a phone number
                          asks for that destination); prints the reply, then plays the callback if one comes
  --request               instead of calling, ask the API for a callback to --from on the extension --to
                          rings back to (POST /api/callbacks; needs --api-key or ADMIN_API_KEY), then play it
  --destination <E.164>   with --request: the number to connect to (skips the destination prompt)
  --at <ISO 8601>         with --request: when to call back (the phone waits until then, plus --callback-wait)
  --plain                 no emoji in the output
  (--expect rejected: no callback came, whatever asked for it)`;

type CliValues = ReturnType<typeof parseCli>;

function parseCli() {
  return parseArgs({
    options: {
      from: { type: 'string', default: '+12025550143' },
      to: { type: 'string', default: '+12025550100' },
      service: { type: 'string' },
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      party: { type: 'string', default: 'answer' },
      'answer-after': { type: 'string', default: '3' },
      talk: { type: 'string', default: '20' },
      callback: { type: 'string', default: 'answer' },
      'callback-wait': { type: 'string', default: '30' },
      script: { type: 'string' },
      'non-interactive': { type: 'boolean', default: false },
      'real-time': { type: 'boolean', default: false },
      expect: { type: 'string' },
      plain: { type: 'boolean', default: false },
      'api-key': { type: 'string' },
      sms: { type: 'string' },
      request: { type: 'boolean', default: false },
      destination: { type: 'string' },
      at: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
}

type Print = (line: string) => void;

/** The keyboard as a phone: digits go to the keypad, Enter answers the ringing callback. */
function terminalPhone(keys: KeySource, print: Print, emoji: boolean): PhoneAnswer {
  const queue = keys instanceof KeyQueue ? keys : null;
  let onEnter: (() => void) | null = null;
  readline.emitKeypressEvents(process.stdin);
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  process.stdin.on('keypress', (str: string | undefined, key: { name?: string; ctrl?: boolean }) => {
    if (key?.ctrl && key.name === 'c') process.exit(130);
    if (key?.name === 'return' || key?.name === 'enter') {
      const f = onEnter;
      onEnter = null;
      f?.();
      return;
    }
    if (str && /^[0-9*#]$/.test(str)) {
      if (queue?.listening) process.stdout.write(`  [${str}]\n`);
      queue?.push(str);
    }
  });
  return {
    kind: 'ask',
    ask: (from, signal) =>
      new Promise((resolve) => {
        print(`${emoji ? '📞 ' : ''}incoming call from ${from}, press Enter to answer`);
        onEnter = () => resolve(true);
        signal.addEventListener('abort', () => {
          onEnter = null;
          print('(not answered)');
        });
      }),
  };
}

function scriptedPhone(callback: string | undefined): PhoneAnswer {
  return callback === 'busy' ? { kind: 'busy' } : callback === 'no-answer' ? { kind: 'no-answer' } : { kind: 'auto', afterS: 1 };
}

/** The simulator as the options ask, printing (and keeping) every line of the transcript. */
function buildSimulator(v: CliValues, interactive: boolean, print: Print, transcript: string[]) {
  const creds = loadOrCreateLocalCredentials(path.resolve(v['data-dir'] ?? process.env.DATA_DIR ?? './data'));
  const port = Number(v.port ?? process.env.SIMULATOR_PORT ?? 3999);
  const party = partyFrom(v.party!, Number(v['answer-after']), Number(v.talk));
  const emoji = !v.plain;
  const keys: KeySource = !interactive || v.script !== undefined ? scriptedKeys(v.script === undefined || v.script === '' ? [] : v.script.split(',')) : new KeyQueue();
  const phone = interactive ? terminalPhone(keys, print, emoji) : scriptedPhone(v.callback);
  const sim = new LocalTwilio({
    accountSid: creds.accountSid,
    authToken: creds.authToken,
    port,
    clock: interactive || v['real-time'] ? realClock : fastClock(),
    keys,
    party: () => party,
    phone,
    onNotice: (n) => {
      if (interactive && n.type === 'incoming-call') return; // the Enter prompt says it
      if (n.type === 'call-event' && n.event.type === 'gather-start' && interactive && keys instanceof KeyQueue) {
        print(`  type digits now (${n.event.timeoutS} s per key${n.event.finishOnKey ? `, ${n.event.finishOnKey} to finish` : ''})`);
      }
      const line = describeNotice(n, { emoji });
      if (line) {
        transcript.push(line);
        print(line);
      }
    },
  });
  return { sim, port, accountSid: creds.accountSid, authToken: creds.authToken };
}

/** The exit code: 1 on errors, REST violations or an outcome other than --expect. */
function report(print: Print, expect: string | undefined, outcome: ScenarioOutcome, errors: string[], violations: string[]): number {
  if (violations.length) print(`Twilio REST violations:\n  - ${violations.join('\n  - ')}`);
  print(`result: ${outcome}${errors.length ? ` with ${errors.length} error(s)` : ''}`);
  if (errors.length || violations.length) return 1;
  if (expect && expect !== outcome) {
    print(`expected ${expect}`);
    return 1;
  }
  return 0;
}

async function main(): Promise<number> {
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  const v = parseCli();
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const misuse = optionMisuse(v);
  if (misuse) {
    console.error(`${misuse} (see --help)`);
    return 2;
  }
  const interactive = !v['non-interactive'];
  const service = (v.service ?? process.env.PUBLIC_BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
  const print: Print = (line) => process.stdout.write(`${line}\n`);
  const transcript: string[] = [];
  const { sim, port, accountSid, authToken } = buildSimulator(v, interactive, print, transcript);
  try {
    await sim.start();
  } catch (err) {
    console.error(`cannot start the simulator on 127.0.0.1:${port}: ${(err as Error).message}`);
    return 2;
  }
  const apiKey = v['api-key'] ?? process.env.ADMIN_API_KEY;
  const how = v.sms !== undefined ? `texting ${v.to} from ${v.from}` : v.request ? `asking the API for a callback to ${v.from} on ${v.to}` : `calling ${v.to} from ${v.from}`;
  print(`local Twilio simulator on 127.0.0.1:${port} (account ${accountSid}); ${how} via ${service}`);
  try {
    const onLine = (l: string) => {
      transcript.push(l);
      print(l);
    };
    const common = { serviceUrl: service, from: v.from!, to: v.to!, callbackWaitMs: Number(v['callback-wait']) * 1000, apiKey };
    let r: { outcome: ScenarioOutcome; errors: string[] };
    if (v.sms !== undefined) r = await runSmsScenario(sim, { ...common, body: v.sms, accountSid, authToken }, onLine);
    else if (v.request) {
      if (!apiKey) {
        console.error('--request needs an API key: --api-key or ADMIN_API_KEY (the operator key printed by the service on its first start)');
        return 2;
      }
      r = await runRequestScenario(sim, { ...common, apiKey, destination: v.destination, at: v.at }, onLine);
    } else r = await runScenario(sim, common, onLine);
    return report(print, v.expect, r.outcome, r.errors, sim.standin.violations);
  } finally {
    if (interactive && process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
    await sim.stop();
  }
}

/** Options that do not go together, or a --at that is no time. */
function optionMisuse(v: CliValues): string | null {
  if (v.sms !== undefined && v.request) return '--sms and --request are two ways to ask: give one';
  if (!v.request && (v.destination !== undefined || v.at !== undefined)) return '--destination and --at go with --request (an SMS body that is a number is its destination)';
  if (v.at !== undefined && Number.isNaN(Date.parse(v.at))) return `--at must be an ISO 8601 time, not "${v.at}"`;
  return null;
}

function partyFrom(kind: string, answerAfterS: number, talkS: number): PartyBehaviour {
  switch (kind) {
    case 'answer':
      return { outcome: 'answer', answerAfterS, talkS };
    case 'busy':
    case 'no-answer':
    case 'failed':
      return { outcome: kind };
    default:
      throw new Error(`--party must be answer, busy, no-answer or failed, not "${kind}"`);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error((err as Error).message);
    process.exit(2);
  },
);
