import type { TwilioClient } from './rest-client';

/**
 * `npm run twilio:connect`: wires an account's Twilio numbers to this service. It goes through the
 * service's own config API (ADMIN_API_KEY) rather than the database, so the same rules (validation,
 * tenancy, audit) apply as for any operator change, and it works against a service running anywhere.
 * Idempotent: it compares before it changes, and a second run changes nothing.
 */

/** The few config-API calls it needs; `httpServiceApi` is the real one. */
export interface ServiceApi {
  get(path: string): Promise<unknown>;
  post(path: string, body: unknown): Promise<unknown>;
}

export function httpServiceApi(baseUrl: string, apiKey: string): ServiceApi {
  const base = baseUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as unknown) : null;
  };
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b) };
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface ServiceChannel {
  id: string;
  name: string;
  type: 'twilio' | 'sip';
}
interface ServiceNumber {
  id: string;
  number: string;
  clientId: string | null;
  extensionId: string | null;
}

/** Every item of a paged list of the config API (`?limit=100&cursor=...`), bounded to 1000 pages. */
export async function listAll<T>(api: ServiceApi, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const page = (await api.get(`${path}?limit=100${cursor ? `&cursor=${cursor}` : ''}`)) as Page<T>;
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

export const TWILIO_CHANNEL_NAME = 'Twilio';

export interface ConnectChange {
  kind: 'create-channel' | 'import-number' | 'point-number';
  number?: string;
  detail: string;
}

export interface ConnectResult {
  changes: ConnectChange[];
  /** Numbers already right, or not ringing back to an extension (left alone). */
  unchanged: string[];
  dryRun: boolean;
}

interface TwilioNumberWiring {
  voiceUrl?: string | null;
  voiceMethod?: string | null;
  statusCallback?: string | null;
  statusCallbackMethod?: string | null;
  smsUrl?: string | null;
  smsMethod?: string | null;
  capabilities?: { sms?: boolean } | null;
}
interface Wiring {
  voiceUrl: string;
  statusCallback: string;
  smsUrl: string;
}

/** A number that cannot receive SMS keeps its SMS URL as it is (Twilio's capabilities say so). */
const takesSms = (n: TwilioNumberWiring) => n.capabilities?.sms !== false;

/** Whether a Twilio number already sends its calls, status callbacks and (if it takes SMS) messages to these URLs, by POST. */
function pointsAt(n: TwilioNumberWiring, w: Wiring): boolean {
  const post = (method: string | null | undefined) => (method ?? 'POST').toUpperCase() === 'POST';
  const voice = n.voiceUrl === w.voiceUrl && post(n.voiceMethod) && n.statusCallback === w.statusCallback && post(n.statusCallbackMethod);
  return voice && (!takesSms(n) || (n.smsUrl === w.smsUrl && post(n.smsMethod)));
}

export async function connectNumbers(opts: { twilio: TwilioClient; api: ServiceApi; publicUrl: string; dryRun: boolean; log?: (line: string) => void }): Promise<ConnectResult> {
  const log = opts.log ?? (() => {});
  const pub = opts.publicUrl.replace(/\/+$/, '');
  const voiceUrl = `${pub}/voice/incoming`;
  const statusCallback = `${pub}/voice/status`;
  const smsUrl = `${pub}/sms/incoming`;
  const changes: ConnectChange[] = [];
  const unchanged: string[] = [];
  const verb = opts.dryRun ? 'would ' : '';

  const twilioNumbers = await opts.twilio.incomingPhoneNumbers.list({ pageSize: 100 });
  const [channels, numbers] = await Promise.all([listAll<ServiceChannel>(opts.api, '/api/channels'), listAll<ServiceNumber>(opts.api, '/api/numbers')]);
  const known = new Map(numbers.map((n) => [n.number, n]));

  // 1. import numbers the service does not know, into the "Twilio" channel, unassigned
  const missing = twilioNumbers.filter((n) => !known.has(n.phoneNumber));
  if (missing.length > 0) {
    let channel = channels.find((c) => c.type === 'twilio' && c.name === TWILIO_CHANNEL_NAME) ?? null;
    if (!channel) {
      changes.push({ kind: 'create-channel', detail: `${verb}create channel "${TWILIO_CHANNEL_NAME}" (type twilio)` });
      if (!opts.dryRun) channel = (await opts.api.post('/api/channels', { name: TWILIO_CHANNEL_NAME, type: 'twilio', prefixes: [] })) as ServiceChannel;
    }
    for (const n of missing) {
      changes.push({ kind: 'import-number', number: n.phoneNumber, detail: `${verb}import ${n.phoneNumber} into channel "${TWILIO_CHANNEL_NAME}" (unassigned)` });
      if (!opts.dryRun && channel) {
        const created = (await opts.api.post(`/api/channels/${channel.id}/numbers`, { number: n.phoneNumber, clientId: null })) as ServiceNumber;
        known.set(n.phoneNumber, created);
      }
    }
  }

  // 2. point the numbers that ring back to an extension at the service
  for (const n of twilioNumbers) {
    const mine = known.get(n.phoneNumber);
    if (!mine?.extensionId) {
      unchanged.push(n.phoneNumber);
      continue;
    }
    if (pointsAt(n, { voiceUrl, statusCallback, smsUrl })) {
      unchanged.push(n.phoneNumber);
      continue;
    }
    changes.push({
      kind: 'point-number',
      number: n.phoneNumber,
      detail:
        `${verb}point ${n.phoneNumber} (${n.sid}) at ${voiceUrl} [was ${n.voiceUrl || 'unset'}], status callback ${statusCallback} [was ${n.statusCallback || 'unset'}]` +
        (takesSms(n) ? `, SMS ${smsUrl} [was ${n.smsUrl || 'unset'}]` : ', SMS left alone (the number takes none)'),
    });
    if (!opts.dryRun) {
      const sms = takesSms(n) ? { smsUrl, smsMethod: 'POST' } : {};
      await opts.twilio.incomingPhoneNumbers(n.sid).update({ voiceUrl, voiceMethod: 'POST', statusCallback, statusCallbackMethod: 'POST', ...sms });
    }
  }

  for (const c of changes) log(c.detail);
  if (changes.length === 0) log(`nothing to change: ${twilioNumbers.length} number(s) checked, all up to date`);
  else log(`${opts.dryRun ? 'dry run: ' : ''}${changes.length} change(s)${opts.dryRun ? ' not applied' : ' applied'}; ${unchanged.length} number(s) left as they are`);
  return { changes, unchanged, dryRun: opts.dryRun };
}

/** PUBLIC_BASE_URL, or the https URL of the ngrok agent running on this machine (its local API). */
export async function findPublicUrl(env: NodeJS.ProcessEnv = process.env, agentApi = 'http://127.0.0.1:4040'): Promise<string> {
  const configured = env.PUBLIC_BASE_URL?.trim();
  if (configured) return configured.replace(/\/+$/, '');
  for (const path of ['/api/tunnels', '/api/endpoints']) {
    try {
      const res = await fetch(`${agentApi}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) continue;
      const body = (await res.json()) as { tunnels?: Array<{ public_url?: string }>; endpoints?: Array<{ url?: string }> };
      const urls = [...(body.tunnels ?? []).map((t) => t.public_url), ...(body.endpoints ?? []).map((e) => e.url)];
      const https = urls.find((u): u is string => typeof u === 'string' && u.startsWith('https://'));
      if (https) return https.replace(/\/+$/, '');
    } catch {
      // agent not running here
    }
  }
  throw new Error('no public URL: set PUBLIC_BASE_URL, or start ngrok (ngrok start --config ngrok.yml callback) so its local API at 127.0.0.1:4040 lists an https tunnel');
}
