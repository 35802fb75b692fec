import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FormParams } from './openapi-check';
import { parseForm } from './rest-format';

/** The stand-in's loopback HTTP server: listening, reading a request, answering JSON (held when asked). */

export interface IncomingRest {
  method: string;
  pathname: string;
  contentType: string;
  /** The raw body, empty when none. */
  raw: string;
  /** The form body (empty unless the body is a form). */
  params: FormParams;
  query: FormParams;
  authorization: string | undefined;
}

const FORM = 'application/x-www-form-urlencoded';

export async function readRequest(req: http.IncomingMessage): Promise<IncomingRest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = new URL(req.url ?? '/', 'http://standin');
  const contentType = String(req.headers['content-type'] ?? '');
  const raw = Buffer.concat(chunks).toString('utf8');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    pathname: url.pathname,
    contentType,
    raw,
    params: raw && contentType.includes(FORM) ? parseForm(raw) : {},
    query: parseForm(url.search.slice(1)),
    authorization: req.headers.authorization,
  };
}

export function isForm(contentType: string): boolean {
  return contentType.includes(FORM);
}

export class LoopbackServer {
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private base = '';

  constructor(private readonly handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {}

  /** Listens on 127.0.0.1 (port 0: any free port); resolves to the base URL, e.g. http://127.0.0.1:41234. */
  async start(port: number): Promise<string> {
    if (this.server) return this.base;
    const server = http.createServer(this.handler);
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
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

  /** Answers JSON now, or after delayMs (a held answer is dropped when the server stops first). */
  reply(res: http.ServerResponse, status: number, body: unknown, delayMs: number | null): void {
    const write = () => {
      if (res.writableEnded || res.destroyed) return;
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (delayMs === null) {
      write();
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      write();
    }, delayMs);
    this.timers.add(t);
  }
}
