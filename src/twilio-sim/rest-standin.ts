import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { loadTwilioOpenApi, type FormParams, type MatchedOperation } from './openapi-check';
import { findTwilioOpenApiFile } from './reference-dir';
import { validateTwiml } from './twiml-validator';

export interface RecordedRequest {
  method: string;
  path: string;
  /** Twilio's operationId (CreateCall, UpdateCall...), or null when no operation matches. */
  operationId: string | null;
  params: FormParams;
  query: FormParams;
  authOk: boolean;
  at: Date;
  /** What the stand-in answered (status and JSON body), once it has. */
  response?: { status: number; body: unknown };
}

export interface TwilioErrorSpec {
  status: number;
  code?: number;
  message?: string;
}

export interface StandinOptions {
  accountSid: string;
  authToken: string;
  referenceDir?: string;
  /** Also validate `Twiml` params with the TwiML validator (default true). */
  validateTwimlParams?: boolean;
  /**
   * Check requests against Twilio's OpenAPI description (default true). 'auto': only when the
   * reference directory exists (a user's clone may not have it); otherwise route by a built-in table.
   */
  checkOpenApi?: boolean | 'auto';
  /** Listen on this port (default 0: any free port). */
  port?: number;
  /** Called after a call was created (the simulator rings its phone from here). */
  onCallCreated?: (call: { sid: string; params: FormParams }) => void;
}

/** What the stand-in needs from the OpenAPI checker; a plain routing table stands in when it is off. */
interface ApiChecker {
  match(method: string, pathname: string): MatchedOperation | null;
  checkRequest(match: MatchedOperation, query: FormParams, form: FormParams): string[];
  checkComponent(schemaName: string, body: unknown): string[];
}

const BUILTIN_ROUTES: Array<[string, string, string]> = [
  ['POST', '/2010-04-01/Accounts/{AccountSid}/Calls.json', 'CreateCall'],
  ['GET', '/2010-04-01/Accounts/{AccountSid}/Calls.json', 'ListCall'],
  ['POST', '/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json', 'UpdateCall'],
  ['GET', '/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json', 'FetchCall'],
  ['GET', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json', 'ListIncomingPhoneNumber'],
  ['GET', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', 'FetchIncomingPhoneNumber'],
  ['POST', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', 'UpdateIncomingPhoneNumber'],
];

/** Routing without Twilio's OpenAPI file: the operations the stand-in simulates, no checks. */
function builtinApi(): ApiChecker {
  const table = BUILTIN_ROUTES.map(([method, template, operationId]) => {
    const names: string[] = [];
    const regex = new RegExp(
      `^${template.replace(/\{([^}]+)\}/g, (_, n: string) => (names.push(n), '([^/]+)')).replace(/\./g, '\\.')}$`,
    );
    return { method, template, operationId, names, regex };
  });
  return {
    match(method, pathname) {
      for (const r of table) {
        const m = r.method === method ? r.regex.exec(pathname) : null;
        if (m) {
          return { operationId: r.operationId, method, template: r.template, pathParams: Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
        }
      }
      return null;
    },
    checkRequest: () => [],
    checkComponent: () => [],
  };
}

export type CallStatus =
  | 'queued' | 'ringing' | 'in-progress' | 'canceled' | 'completed' | 'failed' | 'busy' | 'no-answer';

type Resource = Record<string, unknown>;

interface CallRecord {
  resource: Resource;
  /** Last Url or Twiml the call was created or redirected with. */
  url: string | null;
  twiml: string | null;
}

const API = '/2010-04-01';
const ENDED: ReadonlySet<string> = new Set(['canceled', 'completed', 'failed', 'busy', 'no-answer']);

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** RFC 2822 as Twilio writes it: "Tue, 31 Aug 2010 20:36:28 +0000". */
function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

export function twilioError(status: number, code: number, message: string): Resource {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function parseForm(raw: string): FormParams {
  const out: FormParams = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[v.length - 1] : v);

/**
 * A loopback stand-in for Twilio's REST API (2010-04-01), reached by the real SDK through
 * createTwilioClient({ apiBaseUrl }). Every request is checked against Twilio's OpenAPI
 * description; a violating request gets a 400 and lands in `violations`.
 */
export class TwilioRestStandin {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private readonly api: ApiChecker;
  /** False when the stand-in runs without Twilio's OpenAPI description (checkOpenApi 'auto', devDependencies absent). */
  readonly openApiChecked: boolean;
  private readonly calls = new Map<string, CallRecord>();
  private readonly numbers = new Map<string, Resource>();
  private faults: { remaining: number; error: TwilioErrorSpec } | null = null;
  private delays: { remaining: number; ms: number } | null = null;
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private base = '';

  constructor(private readonly opts: StandinOptions) {
    const check = opts.checkOpenApi ?? true;
    this.openApiChecked = check === true || (check === 'auto' && findTwilioOpenApiFile(opts.referenceDir) !== null);
    this.api = this.openApiChecked ? loadTwilioOpenApi(opts.referenceDir) : builtinApi();
  }

  /** Listens on 127.0.0.1, port 0; resolves to the base URL, e.g. http://127.0.0.1:41234. */
  async start(): Promise<string> {
    if (this.server) return this.base;
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forgets requests, violations, calls, faults and delays; keeps seeded numbers unless asked. */
  reset(opts: { numbers?: boolean } = {}): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.calls.clear();
    if (opts.numbers) this.numbers.clear();
    this.faults = null;
    this.delays = null;
  }

  callsCreated(): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === 'CreateCall');
  }

  /** Answers the next n requests with a Twilio-style error instead of handling them. */
  failNext(n: number, error: TwilioErrorSpec): void {
    this.faults = { remaining: n, error };
  }

  /** Holds the next n responses for ms milliseconds (client timeouts). */
  delayNext(n: number, ms: number): void {
    this.delays = { remaining: n, ms };
  }

  /** Throws listing every OpenAPI violation seen so far. */
  assertNoViolations(): void {
    if (this.violations.length > 0) {
      throw new Error(`Twilio REST stand-in saw ${this.violations.length} violation(s):\n  - ${this.violations.join('\n  - ')}`);
    }
  }

  /** Sets what a later fetch of the call returns (as Twilio's status callbacks would have moved it). */
  setCallState(
    callSid: string,
    state: { status?: CallStatus; duration?: number | null; answeredBy?: string | null; parentCallSid?: string | null },
  ): void {
    const call = this.calls.get(callSid);
    if (!call) throw new Error(`no call ${callSid} in the stand-in`);
    const r = call.resource;
    const now = new Date();
    if (state.status) {
      r.status = state.status;
      if (state.status === 'in-progress' && !r.start_time) r.start_time = rfc2822(now);
      if (ENDED.has(state.status) && !r.end_time) r.end_time = rfc2822(now);
    }
    if (state.duration !== undefined) r.duration = state.duration === null ? null : String(state.duration);
    if (state.answeredBy !== undefined) r.answered_by = state.answeredBy;
    if (state.parentCallSid !== undefined) r.parent_call_sid = state.parentCallSid;
    r.date_updated = rfc2822(now);
  }

  /** The stand-in's view of a call: resource plus the last Url/Twiml it was given. */
  getCall(callSid: string): CallRecord | undefined {
    return this.calls.get(callSid);
  }

  addIncomingNumber(n: { phoneNumber: string; friendlyName?: string; voiceUrl?: string; sid?: string }): Resource {
    const now = rfc2822(new Date());
    const numberSid = n.sid ?? sid('PN');
    const acc = this.opts.accountSid;
    const resource: Resource = {
      account_sid: acc, address_sid: null, address_requirements: 'none', api_version: '2010-04-01', beta: false,
      capabilities: { voice: true, sms: true, mms: false, fax: false },
      date_created: now, date_updated: now, friendly_name: n.friendlyName ?? n.phoneNumber, identity_sid: null,
      phone_number: n.phoneNumber, origin: 'twilio', sid: numberSid, sms_application_sid: null,
      sms_fallback_method: 'POST', sms_fallback_url: null, sms_method: 'POST', sms_url: null,
      status_callback: null, status_callback_method: 'POST', trunk_sid: null,
      uri: `${API}/Accounts/${acc}/IncomingPhoneNumbers/${numberSid}.json`, voice_receive_mode: 'voice',
      voice_application_sid: null, voice_caller_id_lookup: false, voice_fallback_method: 'POST',
      voice_fallback_url: null, voice_method: 'POST', voice_url: n.voiceUrl ?? null, emergency_status: 'Inactive',
      emergency_address_sid: null, emergency_address_status: 'unregistered', bundle_sid: null, status: 'in-use',
      type: 'local',
      subresource_uris: { assigned_add_ons: `${API}/Accounts/${acc}/IncomingPhoneNumbers/${numberSid}/AssignedAddOns.json` },
    };
    this.checkOwn('api.v2010.account.incoming_phone_number', resource);
    this.numbers.set(numberSid, resource);
    return resource;
  }

  incomingNumbers(): Resource[] {
    return [...this.numbers.values()];
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = (req.method ?? 'GET').toUpperCase();
    const contentType = String(req.headers['content-type'] ?? '');
    const raw = Buffer.concat(chunks).toString('utf8');
    const params = raw && contentType.includes('application/x-www-form-urlencoded') ? parseForm(raw) : {};
    const query = parseForm(url.search.slice(1));
    const match = this.api.match(method, url.pathname);
    const record: RecordedRequest = {
      method, path: url.pathname, operationId: match?.operationId ?? null, params, query,
      authOk: this.authOk(req.headers.authorization), at: new Date(),
    };
    this.requests.push(record);

    const send = (status: number, body: unknown) => {
      record.response = { status, body };
      const reply = () => {
        if (res.writableEnded || res.destroyed) return;
        const text = JSON.stringify(body);
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (this.delays && this.delays.remaining > 0) {
        this.delays.remaining--;
        const t = setTimeout(() => {
          this.timers.delete(t);
          reply();
        }, this.delays.ms);
        this.timers.add(t);
      } else reply();
    };

    if (!record.authOk) {
      send(401, { ...twilioError(401, 20003, 'Authenticate'), detail: 'Your AccountSid or AuthToken was incorrect.' });
      return;
    }
    if (this.faults && this.faults.remaining > 0) {
      this.faults.remaining--;
      const { status, code, message } = this.faults.error;
      send(status, twilioError(status, code ?? (status >= 500 ? 20500 : 20001), message ?? 'Injected failure'));
      return;
    }
    if (!match) {
      this.violations.push(`${method} ${url.pathname}: no operation in Twilio's OpenAPI matches`);
      send(404, twilioError(404, 20404, `The requested resource ${url.pathname} was not found`));
      return;
    }
    if (raw && !contentType.includes('application/x-www-form-urlencoded')) {
      this.violations.push(`${method} ${url.pathname}: body sent as ${contentType || 'no content type'}, Twilio takes a form`);
    }
    const problems = this.api.checkRequest(match, query, params);
    if (match.pathParams.AccountSid && match.pathParams.AccountSid !== this.opts.accountSid) {
      problems.push(`${match.operationId}: path account ${match.pathParams.AccountSid} is not the authenticated one`);
    }
    if (this.opts.validateTwimlParams !== false && typeof params.Twiml === 'string') {
      const t = await validateTwiml(params.Twiml, { referenceDir: this.opts.referenceDir });
      problems.push(...t.errors.map((e) => `${match.operationId} Twiml: ${e}`));
    }
    if (problems.length > 0) {
      this.violations.push(...problems.map((p) => `${method} ${url.pathname}: ${p}`));
      send(400, twilioError(400, 20001, problems.join('; ')));
      return;
    }
    const [status, body] = this.route(match.operationId, match.pathParams, params, query);
    send(status, body);
    if (match.operationId === 'CreateCall' && status === 201 && this.opts.onCallCreated) {
      this.opts.onCallCreated({ sid: String((body as Resource).sid), params });
    }
  }

  private authOk(header: string | undefined): boolean {
    const m = /^Basic\s+(.+)$/i.exec(header ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    return decoded === `${this.opts.accountSid}:${this.opts.authToken}`;
  }

  private route(op: string, path: Record<string, string>, p: FormParams, q: FormParams): [number, unknown] {
    switch (op) {
      case 'CreateCall':
        return this.createCall(p);
      case 'UpdateCall':
        return this.updateCall(path.Sid!, p);
      case 'FetchCall': {
        const call = this.calls.get(path.Sid!);
        return call ? [200, call.resource] : this.notFound(path.Sid!);
      }
      case 'ListCall':
        return this.listCalls(q);
      case 'ListIncomingPhoneNumber':
        return this.listNumbers(q);
      case 'FetchIncomingPhoneNumber': {
        const n = this.numbers.get(path.Sid!);
        return n ? [200, n] : this.notFound(path.Sid!);
      }
      case 'UpdateIncomingPhoneNumber':
        return this.updateNumber(path.Sid!, p);
      default:
        return [404, twilioError(404, 20404, `The stand-in does not simulate ${op}`)];
    }
  }

  private notFound(what: string): [number, unknown] {
    return [404, twilioError(404, 20404, `The requested resource ${what} was not found`)];
  }

  private createCall(p: FormParams): [number, unknown] {
    if (!p.Url && !p.Twiml && !p.ApplicationSid) {
      this.violations.push('CreateCall: none of Url, Twiml, ApplicationSid given');
      return [400, twilioError(400, 21205, 'Url parameter is required.')];
    }
    const callSid = sid('CA');
    const acc = this.opts.accountSid;
    const now = rfc2822(new Date());
    const to = one(p.To) ?? '';
    const from = one(p.From) ?? '';
    const resource: Resource = {
      sid: callSid, date_created: now, date_updated: now, parent_call_sid: null, account_sid: acc,
      to, to_formatted: to, from, from_formatted: from, phone_number_sid: null, status: 'queued',
      start_time: null, end_time: null, duration: null, price: null, price_unit: 'USD', direction: 'outbound-api',
      answered_by: null, api_version: '2010-04-01', forwarded_from: null, group_sid: null, caller_name: null,
      queue_time: '0', trunk_sid: null, uri: `${API}/Accounts/${acc}/Calls/${callSid}.json`,
      subresource_uris: Object.fromEntries(
        ['notifications', 'recordings', 'payments', 'events', 'siprec', 'streams', 'user_defined_message_subscriptions',
          'user_defined_messages'].map((s) => [s, `${API}/Accounts/${acc}/Calls/${callSid}/${camel(s)}.json`]),
      ),
    };
    this.checkOwn('api.v2010.account.call', resource);
    this.calls.set(callSid, { resource, url: one(p.Url) ?? null, twiml: one(p.Twiml) ?? null });
    return [201, resource];
  }

  private updateCall(callSid: string, p: FormParams): [number, unknown] {
    const call = this.calls.get(callSid);
    if (!call) return this.notFound(callSid);
    const r = call.resource;
    const status = String(r.status);
    if ((p.Url || p.Twiml) && ENDED.has(status)) {
      return [400, twilioError(400, 21220, 'Call is not in-progress. Cannot redirect.')];
    }
    if (p.Url) call.url = one(p.Url) ?? null;
    if (p.Twiml) call.twiml = one(p.Twiml) ?? null;
    const wanted = one(p.Status);
    // Twilio: canceled ends a queued or ringing call; completed ends it whatever its live state.
    if (wanted === 'canceled' && (status === 'queued' || status === 'ringing')) this.setCallState(callSid, { status: 'canceled' });
    if (wanted === 'completed' && !ENDED.has(status)) {
      this.setCallState(callSid, { status: 'completed', duration: status === 'in-progress' ? Number(r.duration ?? 0) : 0 });
    }
    r.date_updated = rfc2822(new Date());
    return [200, r];
  }

  /** Calls filtered by To, From and ParentCallSid (one page: enough for the service's look-ups). */
  private listCalls(q: FormParams): [number, unknown] {
    const pageSize = Number(one(q.PageSize) ?? 50);
    const to = one(q.To);
    const from = one(q.From);
    const parent = one(q.ParentCallSid);
    const items = [...this.calls.values()]
      .map((c) => c.resource)
      .filter((c) => (!to || c.to === to) && (!from || c.from === from) && (!parent || c.parent_call_sid === parent))
      .slice(0, pageSize);
    const uri = `${API}/Accounts/${this.opts.accountSid}/Calls.json?PageSize=${pageSize}&Page=0`;
    return [
      200,
      { calls: items, end: Math.max(items.length - 1, 0), first_page_uri: uri, next_page_uri: null, page: 0, page_size: pageSize, previous_page_uri: null, start: 0, uri },
    ];
  }

  private listNumbers(q: FormParams): [number, unknown] {
    const pageSize = Number(one(q.PageSize) ?? 50);
    const page = Number(one(q.Page) ?? 0);
    const phone = one(q.PhoneNumber);
    const friendly = one(q.FriendlyName);
    const all = [...this.numbers.values()].filter(
      (n) => (!phone || n.phone_number === phone) && (!friendly || n.friendly_name === friendly),
    );
    const start = page * pageSize;
    const items = all.slice(start, start + pageSize);
    const acc = this.opts.accountSid;
    const base = `${API}/Accounts/${acc}/IncomingPhoneNumbers.json`;
    const filters = [phone ? `PhoneNumber=${encodeURIComponent(phone)}` : '', friendly ? `FriendlyName=${encodeURIComponent(friendly)}` : '']
      .filter(Boolean).map((f) => `&${f}`).join('');
    const pageUri = (n: number) => `${base}?PageSize=${pageSize}${filters}&Page=${n}${n > 0 ? `&PageToken=PT${n * pageSize}` : ''}`;
    const body = {
      end: start + Math.max(items.length - 1, 0),
      first_page_uri: pageUri(0),
      next_page_uri: start + pageSize < all.length ? pageUri(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      start,
      uri: pageUri(page),
      incoming_phone_numbers: items,
    };
    return [200, body];
  }

  private updateNumber(numberSid: string, p: FormParams): [number, unknown] {
    const n = this.numbers.get(numberSid);
    if (!n) return this.notFound(numberSid);
    // Form field VoiceUrl -> resource field voice_url, and so on.
    for (const [k, v] of Object.entries(p)) {
      if (k === 'AccountSid') continue;
      const field = k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
      const value = one(v) ?? null;
      n[field] = field === 'voice_caller_id_lookup' ? value === 'true' : value;
    }
    n.date_updated = rfc2822(new Date());
    this.checkOwn('api.v2010.account.incoming_phone_number', n);
    return [200, n];
  }

  /** A resource the stand-in makes must itself fit Twilio's schema, or tests would learn a wrong shape. */
  private checkOwn(schema: string, body: Resource): void {
    this.violations.push(...this.api.checkComponent(schema, body).map((v) => `stand-in bug: ${v}`));
  }
}

function camel(s: string): string {
  return s.split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}
