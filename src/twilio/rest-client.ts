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
}

/** Rewrites `https://<product>.twilio.com/<path>` to `<base>/<path>`, keeping path and query. */
export function rewriteTwilioUri(uri: string, base: string): string {
  const original = new URL(uri);
  const target = new URL(base);
  const prefix = target.pathname.replace(/\/+$/, '');
  return `${target.origin}${prefix}${original.pathname}${original.search}`;
}

class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: string,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true });
  }

  override request<TData>(opts: RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: rewriteTwilioUri(opts.uri, this.base) });
  }
}

/** The one place a Twilio REST client is made. */
export function createTwilioClient(opts: TwilioClientOptions): TwilioClient {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const httpClient = opts.apiBaseUrl ? new RedirectingRequestClient(opts.apiBaseUrl, timeoutMs) : new twilio.RequestClient({ timeout: timeoutMs, keepAlive: true });
  return twilio(opts.accountSid, opts.authToken, { httpClient });
}
