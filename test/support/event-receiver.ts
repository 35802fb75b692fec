import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

/**
 * A client's event receiver on loopback (plain http: the tests run with EVENTS_ALLOW_PRIVATE_NETWORKS=true
 * where they need to reach it). Answers the queued statuses in order, then 200; `hang` leaves requests
 * unanswered (a timeout); `redirectTo` answers 302 to another URL.
 */
export class EventReceiver {
  readonly received: Received[] = [];
  private statuses: number[] = [];
  hang = false;
  redirectTo: string | null = null;
  private server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      let json: Received['json'];
      try {
        json = JSON.parse(body);
      } catch {
        json = { id: '', type: '', createdAt: '', data: {} };
      }
      this.received.push({ path: req.url ?? '', headers: req.headers, body, json });
      if (this.hang) return;
      if (this.redirectTo) {
        res.writeHead(302, { Location: this.redirectTo }).end();
        return;
      }
      res.writeHead(this.statuses.shift() ?? 200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url();
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The next answers' status codes (then 200 again). */
  answer(...statuses: number[]): void {
    this.statuses.push(...statuses);
  }

  types(): string[] {
    return this.received.map((r) => r.json.type);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
