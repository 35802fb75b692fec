import twilio from 'twilio';
import { TwimlError, type SimEvent } from './call-result';
import { findTwilioReferenceDir } from './reference-dir';
import { parseTwiml, type TwimlNode } from './twiml-parse';
import { structuralErrors } from './twiml-structure';
import { validateTwiml } from './twiml-validator';

/**
 * Twilio's side of a webhook: the form POST (or GET) signed as Twilio signs it, then the answer parsed
 * and validated before a verb of it is played.
 */

export type ValidationMode = 'auto' | 'schema' | 'structure';

export interface FetcherOptions {
  authToken: string;
  /** 'auto': Twilio's schema when the reference dir exists, else structural checks with one warning. */
  validation: ValidationMode;
  referenceDir?: string;
  /** Twilio gives up on a webhook after 15 s (error 11205). */
  requestTimeoutMs?: number;
  emit: (e: SimEvent) => void;
}

const SCHEMA_ABSENT_WARNING = 'Twilio reference dir not found: TwiML is checked by our own rules only, not against the XSD';
let warnedSchemaAbsent = false;

export class TwimlFetcher {
  private readonly referenceDir: string | null;

  constructor(private readonly opts: FetcherOptions) {
    const mode = opts.validation;
    this.referenceDir = mode === 'structure' ? null : (opts.referenceDir ?? findTwilioReferenceDir());
    if (mode === 'schema' && !this.referenceDir) throw new Error('validation "schema" asked but the Twilio reference dir is absent');
    if (mode === 'auto' && !this.referenceDir && !warnedSchemaAbsent) {
      warnedSchemaAbsent = true;
      opts.emit({ type: 'warning', message: SCHEMA_ABSENT_WARNING });
    }
  }

  async fetch(url: string, method: 'POST' | 'GET', params: Record<string, string>, purpose: string): Promise<TwimlNode> {
    checkUrl(url, `${purpose} URL`);
    const { target, body, signature } = this.signed(url, method, params);
    this.opts.emit({ type: 'request', url, method, params, purpose });
    const started = Date.now();
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers: {
          'X-Twilio-Signature': signature,
          'User-Agent': 'TwilioProxy/1.1',
          Accept: '*/*',
          ...(body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new Error(`${method} ${url} failed (Twilio error 11200/11205): ${(err as Error).message}`);
    }
    const text = await res.text();
    this.opts.emit({ type: 'response', url, status: res.status, ms: Date.now() - started });
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${url} answered HTTP ${res.status} (Twilio error 11200): ${text.slice(0, 200)}`);
    return this.validate(text, url);
  }

  /** A GET carries the params in its query and signs the whole URL; a POST signs URL plus form. */
  private signed(url: string, method: 'POST' | 'GET', params: Record<string, string>) {
    if (method === 'GET') {
      const u = new URL(url);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      const target = u.toString();
      return { target, body: undefined, signature: twilio.getExpectedTwilioSignature(this.opts.authToken, target, {}) };
    }
    const body = new URLSearchParams(params).toString();
    return { target: url, body, signature: twilio.getExpectedTwilioSignature(this.opts.authToken, url, params) };
  }

  private async validate(xml: string, url: string): Promise<TwimlNode> {
    let tree: TwimlNode;
    try {
      tree = parseTwiml(xml);
    } catch (err) {
      throw new TwimlError(`invalid TwiML from ${url} (Twilio error 12100): ${(err as Error).message}`);
    }
    const errors = structuralErrors(tree);
    if (this.opts.validation !== 'structure') {
      // Our semantic rules (unreachable verbs, absolute URLs...) always; Twilio's XSD when it is there.
      const r = await validateTwiml(xml, this.referenceDir ? { referenceDir: this.referenceDir } : {});
      errors.push(...r.errors.filter((e) => !errors.includes(e)));
    }
    if (errors.length > 0) throw new TwimlError(`invalid TwiML from ${url} (Twilio error 12200):\n  - ${errors.join('\n  - ')}\n${xml}`);
    return tree;
  }
}

function checkUrl(url: string, where: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TwimlError(`${where} "${url}" is not absolute (relative URLs are refused by the simulator)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TwimlError(`${where} "${url}" is not http(s)`);
}
