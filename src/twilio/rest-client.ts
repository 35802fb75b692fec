import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

type RequestOptions<T> = RequestClient.RequestOptions<T>;

export type TwilioClient = ReturnType<typeof twilio>;

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /**
   * Send every REST request to this base URL (a simulator or a test stand-in) instead of Twilio.
   * The SDK has no base-URL setting of its own; a custom httpClient that rewrites the URI is the
   * documented way (twilio-node advanced-examples/custom-http-client.md).
   */
  apiBaseUrl?: string | undefined;
  /** Per-request timeout in ms; the SDK default (30 s) would hold a callback job far too long. */
  timeoutMs?: number;
  /** Told of every failed REST request (the metrics count them by code), whichever call made it. */
  onError?: (e: TwilioRestFailure) => void;
}

/** Twilio's error code and HTTP status of an error answer, or the network error's code when no answer came. */
export interface TwilioRestFailure {
  code: number | string | undefined;
  status: number | undefined;
}

/** The `code` of an error answer's JSON body (a string body is parsed; nothing else is). */
export function errorCodeOf(body: unknown): number | string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const code = (parsed as { code?: unknown } | null)?.code;
  return typeof code === 'number' || typeof code === 'string' ? code : undefined;
}

/** Rewrites `https://<product>.twilio.com/<path>` to `<base>/<path>`, keeping path and query. */
export function rewriteTwilioUri(uri: string, base: string): string {
  const original = new URL(uri);
  const target = new URL(base);
  const prefix = target.pathname.replace(/\/+$/, '');
  return `${target.origin}${prefix}${original.pathname}${original.search}`;
}

/**
 * The SDK's HTTP client with our two additions: an optional base URL, and one place that sees every
 * failed request (an error answer, or none at all), so they are counted whichever call made them.
 */
class ServiceRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: string | undefined,
    timeoutMs: number,
    private readonly onError: ((e: TwilioRestFailure) => void) | undefined,
  ) {
    super({ timeout: timeoutMs, keepAlive: true });
  }

  override async request<TData>(opts: RequestOptions<TData>) {
    const sent = this.base ? { ...opts, uri: rewriteTwilioUri(opts.uri, this.base) } : opts;
    if (!this.onError) return super.request<TData>(sent);
    try {
      const res = await super.request<TData>(sent);
      // The SDK turns an answer of 400 or more into its RestException after this returns.
      if (res.statusCode >= 400) this.onError({ code: errorCodeOf(res.body), status: res.statusCode });
      return res;
    } catch (err) {
      this.onError({ code: (err as { code?: string }).code, status: undefined });
      throw err;
    }
  }
}

/** The one place a Twilio REST client is made. */
export function createTwilioClient(opts: TwilioClientOptions): TwilioClient {
  const httpClient = new ServiceRequestClient(opts.apiBaseUrl, opts.timeoutMs ?? 10_000, opts.onError);
  return twilio(opts.accountSid, opts.authToken, { httpClient });
}
