import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { ipLiteral, isPublicAddress, urlProblem } from './address-guard';

export type PostResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export interface GuardedPostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  headers: Record<string, string>;
}

/** A lookup answer containing a non-public address (refused before any connection). */
class RefusedAddress extends Error {
  readonly code = 'EADDRREFUSED';
}

/**
 * The lookup the connection uses: resolves the name, refuses it when ANY address is not public (a name
 * with one private address among public ones is a rebinding trick), and hands the socket only the
 * addresses it checked. Node connects to what the lookup returns, so a second, different DNS answer
 * cannot slip in between the check and the connection.
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (bad || addresses.length === 0) {
        // Not which address: a client reads this in its deliveries list, and must learn nothing of the operator's DNS.
        return callback(new RefusedAddress(`${hostname} does not resolve to a public address`), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/**
 * POSTs `body` once: no redirect is followed (a 3xx is a failed attempt, so a public URL cannot bounce
 * us to an internal one), the whole exchange is cut after `timeoutMs`, and the answer's body is
 * discarded. Never rejects.
 */
export function guardedPost(url: string, body: string, opts: GuardedPostOptions): Promise<PostResult> {
  const problem = urlProblem(url, opts.allowPrivate);
  if (problem) return Promise.resolve({ ok: false, status: null, error: `refused: ${problem === 'private-address' ? 'not a public address' : problem}` });
  const u = new URL(url);
  const literal = ipLiteral(u.hostname);
  if (literal !== null && !opts.allowPrivate && !isPublicAddress(literal)) return Promise.resolve({ ok: false, status: null, error: 'refused: not a public address' });
  const client = u.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = client.request(
      u,
      {
        method: 'POST',
        // A fresh connection each time (no pooled socket to an address checked for another name) through the guarded lookup.
        agent: false,
        lookup: guardedLookup(opts.allowPrivate),
        headers: { ...opts.headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => finish(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` }));
        res.on('error', (err) => finish({ ok: false, status, error: err.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, error: `timeout after ${opts.timeoutMs} ms` });
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err) => finish({ ok: false, status: null, error: err instanceof RefusedAddress ? `refused: ${err.message}` : err.message }));
    req.end(body);
  });
}
