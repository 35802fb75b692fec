import type http from 'node:http';
import type { FormParams, MatchedOperation } from './openapi-check';
import { CallStore, type CallRecord, type CallState } from './rest-calls';
import { twilioError, type Resource } from './rest-format';
import { isForm, LoopbackServer, readRequest, type IncomingRest } from './rest-http';
import { NumberStore, type NumberSeed } from './rest-numbers';
import { apiChecker, basicAuthOk, requestProblems, type ApiChecker } from './rest-request-check';

export { twilioError, type CallStatus } from './rest-format';

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

type Send = (status: number, body: unknown) => void;

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
  private readonly calls: CallStore;
  private readonly numbers: NumberStore;
  private readonly server = new LoopbackServer((req, res) => void this.handle(req, res));
  private faults: { remaining: number; error: TwilioErrorSpec } | null = null;
  private delays: { remaining: number; ms: number } | null = null;

  constructor(private readonly opts: StandinOptions) {
    ({ api: this.api, openApiChecked: this.openApiChecked } = apiChecker(opts.checkOpenApi ?? true, opts.referenceDir));
    const checkOwn = (schema: string, body: Resource) => this.checkOwn(schema, body);
    this.calls = new CallStore(opts.accountSid, checkOwn, (v) => this.violations.push(v));
    this.numbers = new NumberStore(opts.accountSid, checkOwn);
  }

  /** Listens on 127.0.0.1, port 0; resolves to the base URL, e.g. http://127.0.0.1:41234. */
  start(): Promise<string> {
    return this.server.start(this.opts.port ?? 0);
  }

  stop(): Promise<void> {
    return this.server.stop();
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
  setCallState(callSid: string, state: CallState): void {
    this.calls.setState(callSid, state);
  }

  /** The stand-in's view of a call: resource plus the last Url/Twiml it was given. */
  getCall(callSid: string): CallRecord | undefined {
    return this.calls.get(callSid);
  }

  addIncomingNumber(n: NumberSeed): Resource {
    return this.numbers.add(n);
  }

  incomingNumbers(): Resource[] {
    return this.numbers.all();
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const incoming = await readRequest(req);
    const match = this.api.match(incoming.method, incoming.pathname);
    const record: RecordedRequest = {
      method: incoming.method,
      path: incoming.pathname,
      operationId: match?.operationId ?? null,
      params: incoming.params,
      query: incoming.query,
      authOk: basicAuthOk(incoming.authorization, this.opts.accountSid, this.opts.authToken),
      at: new Date(),
    };
    this.requests.push(record);
    const send: Send = (status, body) => {
      record.response = { status, body };
      this.server.reply(res, status, body, this.takeDelay());
    };
    if (this.refused(record, incoming, match, send)) return;
    const problems = await requestProblems(this.api, match!, incoming, this.opts);
    if (problems.length > 0) {
      this.violations.push(...problems.map((p) => `${incoming.method} ${incoming.pathname}: ${p}`));
      send(400, twilioError(400, 20001, problems.join('; ')));
      return;
    }
    const [status, body] = this.route(match!.operationId, match!.pathParams, incoming.params, incoming.query);
    send(status, body);
    if (match!.operationId === 'CreateCall' && status === 201 && this.opts.onCallCreated) {
      this.opts.onCallCreated({ sid: String((body as Resource).sid), params: incoming.params });
    }
  }

  /** The delay for this answer when delayNext holds it, else null. */
  private takeDelay(): number | null {
    if (!this.delays || this.delays.remaining <= 0) return null;
    this.delays.remaining--;
    return this.delays.ms;
  }

  /** Answers what is refused before any check: bad credentials, an injected fault, no such operation. */
  private refused(record: RecordedRequest, incoming: IncomingRest, match: MatchedOperation | null, send: Send): boolean {
    const { method, pathname } = incoming;
    if (!record.authOk) {
      send(401, { ...twilioError(401, 20003, 'Authenticate'), detail: 'Your AccountSid or AuthToken was incorrect.' });
      return true;
    }
    if (this.faults && this.faults.remaining > 0) {
      this.faults.remaining--;
      const { status, code, message } = this.faults.error;
      send(status, twilioError(status, code ?? (status >= 500 ? 20500 : 20001), message ?? 'Injected failure'));
      return true;
    }
    if (!match) {
      this.violations.push(`${method} ${pathname}: no operation in Twilio's OpenAPI matches`);
      send(404, twilioError(404, 20404, `The requested resource ${pathname} was not found`));
      return true;
    }
    if (incoming.raw && !isForm(incoming.contentType)) {
      this.violations.push(`${method} ${pathname}: body sent as ${incoming.contentType || 'no content type'}, Twilio takes a form`);
    }
    return false;
  }

  private route(op: string, path: Record<string, string>, p: FormParams, q: FormParams): [number, unknown] {
    switch (op) {
      case 'CreateCall':
        return this.calls.create(p);
      case 'UpdateCall':
        return this.calls.update(path.Sid!, p);
      case 'FetchCall':
        return this.calls.fetch(path.Sid!);
      case 'ListCall':
        return this.calls.list(q);
      case 'ListIncomingPhoneNumber':
        return this.numbers.list(q);
      case 'FetchIncomingPhoneNumber':
        return this.numbers.fetch(path.Sid!);
      case 'UpdateIncomingPhoneNumber':
        return this.numbers.update(path.Sid!, p);
      default:
        return [404, twilioError(404, 20404, `The stand-in does not simulate ${op}`)];
    }
  }

  /** A resource the stand-in makes must itself fit Twilio's schema, or tests would learn a wrong shape. */
  private checkOwn(schema: string, body: Resource): void {
    this.violations.push(...this.api.checkComponent(schema, body).map((v) => `stand-in bug: ${v}`));
  }
}
