import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type mongoose from 'mongoose';
import twilio from 'twilio';

/** Shared pieces of the benchmarks: percentiles, a keep-alive load generator, child processes. */

export const ROOT = path.resolve(__dirname, '..');
export const BENCH_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const BENCH_AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';
export const BENCH_PUBLIC_BASE_URL = 'https://callback.bench.test';
export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdefghij';

export interface Check {
  /** What is measured, e.g. "A throughput ratio". */
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  checks: Check[];
  /** Raw figures for the JSON report. */
  figures: Record<string, unknown>;
  notes: string[];
}

export interface RunOptions {
  short: boolean;
  dbUri: string;
  /** The embedded database's process, when it is one (its CPU use is read from /proc). */
  dbPid?: number | undefined;
  /** Each scenario gets its own database name on the shared embedded server. */
  dbName(scenario: string): string;
  log(msg: string): void;
  profileDir?: string | undefined;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(values: number[]): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s.at(-1) ?? Number.NaN, mean };
}

export const ms = (v: number) => `${v.toFixed(1)} ms`;

let sidSeq = 0;
/** A fresh, well-formed CallSid (CA + 32 hex). */
export function freshCallSid(): string {
  sidSeq++;
  return `CA${process.pid.toString(16).padStart(8, '0')}${Date.now().toString(16).padStart(12, '0')}${sidSeq.toString(16).padStart(12, '0')}`.slice(0, 34);
}

/** A form body and its Twilio signature for PUBLIC_BASE_URL + path. */
export interface SignedRequest {
  path: string;
  body: string;
  signature: string;
}

export function signedForm(pathAndQuery: string, params: Record<string, string>): SignedRequest {
  return {
    path: pathAndQuery,
    body: new URLSearchParams(params).toString(),
    signature: twilio.getExpectedTwilioSignature(BENCH_AUTH_TOKEN, BENCH_PUBLIC_BASE_URL + pathAndQuery, params),
  };
}

export interface HttpResult {
  status: number;
  body: string;
  /** Milliseconds from sending to the last byte of the answer. */
  latencyMs: number;
  error?: string;
}

export function postForm(agent: http.Agent, port: number, req: SignedRequest, timeoutMs = 30_000): Promise<HttpResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const r = http.request(
      {
        host: '127.0.0.1',
        port,
        path: req.path,
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(req.body),
          'X-Twilio-Signature': req.signature,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), latencyMs: performance.now() - started }));
        res.on('error', (err) => resolve({ status: 0, body: '', latencyMs: performance.now() - started, error: err.message }));
      },
    );
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', (err) => resolve({ status: 0, body: '', latencyMs: performance.now() - started, error: err.message }));
    r.end(req.body);
  });
}

/**
 * Closed-loop load: `connections` workers on one keep-alive agent, each sending the next request as
 * soon as its previous one answered, until every request was sent. Requests are built (and signed)
 * before the clock starts, so the generator's own cost stays out of the figures.
 */
export async function closedLoop(
  port: number,
  requests: SignedRequest[],
  connections: number,
  maxMs = Number.POSITIVE_INFINITY,
): Promise<{ results: HttpResult[]; elapsedMs: number; rps: number; sent: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const results: HttpResult[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + maxMs;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < requests.length && performance.now() < deadline) {
        const i = next++;
        results[i] = await postForm(agent, port, requests[i]!);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const done = results.filter(Boolean);
  return { results: done, elapsedMs, rps: (done.length / elapsedMs) * 1000, sent: next };
}

export interface ChildStats {
  eld: { p50: number; p99: number; max: number; mean: number };
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
}

/** A benchmark child process (bench/serve.ts or bench/runner-main.ts) speaking over IPC. */
export class BenchChild {
  readonly child: ChildProcess;
  readonly stderr: string[] = [];
  private readonly ready: Promise<Record<string, unknown>>;
  private waiters = new Map<string, (m: Record<string, unknown>) => void>();
  readonly exited: Promise<number | null>;

  constructor(script: string, env: Record<string, string>, opts: { cpuProfDir?: string | undefined } = {}) {
    const args = ['--import', 'tsx', ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []), script];
    this.child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr.push(d);
      if (this.stderr.length > 50) this.stderr.shift();
    });
    this.child.on('message', (m: Record<string, unknown>) => {
      const w = this.waiters.get(String(m.type));
      if (w) {
        this.waiters.delete(String(m.type));
        w(m);
      }
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.ready = this.waitFor('ready', 120_000);
  }

  waitFor(type: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child gave no "${type}" within ${timeoutMs} ms; stderr: ${this.stderr.join('')}`)), timeoutMs);
      this.waiters.set(type, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`child exited (${code}) before "${type}"; stderr: ${this.stderr.join('')}`));
      });
    });
  }

  async started(): Promise<Record<string, unknown>> {
    return this.ready;
  }

  async request(type: string, payload: Record<string, unknown> = {}, reply = `${type}:done`, timeoutMs = 120_000): Promise<Record<string, unknown>> {
    const answer = this.waitFor(reply, timeoutMs);
    this.child.send({ type, ...payload });
    return answer;
  }

  /** Asks the child to exit cleanly (so --cpu-prof writes its profile); kills it after a grace time. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.send({ type: 'exit' });
    const t = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(t);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the bench reads a few fields of our own API's answers; typing each is not worth it here
export async function api(port: number, method: string, pathName: string, body?: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}${pathName}`, {
    method,
    headers: { Authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${pathName} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export const NUMBER = '+442071838750';
/** A distinct US caller number per index (returnCalls 'caller': every caller gets a callback). */
export const callerNumber = (i: number) => `+1202${String(2_000_000 + (i % 7_999_999)).padStart(7, '0')}`;

/** Seeds one client, extension and number through the config API of a running service. */
export async function seedCallbackNumber(port: number, triggerAfterSeconds: number, credit = '1000000.00'): Promise<{ clientId: string; extensionId: string }> {
  const rt = await api(port, 'POST', '/api/rate-tables', {
    name: `bench-rates-${Math.random()}`,
    currency: 'USD',
    rates: [
      { prefix: '+44', perMinute: '0.0200', initialSeconds: 60, incrementSeconds: 60 },
      { prefix: '+1', perMinute: '0.0100', initialSeconds: 30, incrementSeconds: 6 },
    ],
  });
  const client = await api(port, 'POST', '/api/clients', { name: `bench-client-${Math.random()}`, credit, rateTableId: rt.id });
  const ch = await api(port, 'POST', '/api/channels', { name: `bench-pstn-${Math.random()}`, type: 'twilio', prefixes: [] });
  const ext = await api(port, 'POST', '/api/extensions', {
    clientId: client.id,
    extensionNumber: '0003*003',
    name: 'Bench desk',
    callback: { returnCalls: 'caller', triggerAfterSeconds, requireCallerPassword: false },
    callerId: {},
  });
  await api(port, 'POST', `/api/channels/${ch.id}/numbers`, { number: NUMBER, clientId: client.id, extensionId: ext.id });
  return { clientId: client.id, extensionId: ext.id };
}

export function incomingRequest(i: number, to = NUMBER): SignedRequest {
  return signedForm('/voice/incoming', {
    CallSid: freshCallSid(),
    AccountSid: BENCH_ACCOUNT_SID,
    From: callerNumber(i),
    To: to,
    CallStatus: 'ringing',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  });
}

export function serviceEnv(opts: RunOptions, scenario: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BENCH_DB_URI: opts.dbUri,
    BENCH_DB_NAME: opts.dbName(scenario),
    PUBLIC_BASE_URL: BENCH_PUBLIC_BASE_URL,
    TWILIO_ACCOUNT_SID: BENCH_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: BENCH_AUTH_TOKEN,
    ADMIN_API_KEY: BENCH_ADMIN_KEY,
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}

export type CommandTally = Map<string, { n: number; ms: number }>;

/**
 * Counts the database commands a connection (opened with monitorCommands) runs and sums their durations
 * as the driver saw them, queueing included, per key (`keyOf`, default "command collection"), into the
 * tally `into()` returns at the time each one ends.
 */
export function tallyCommands(
  db: mongoose.Connection,
  into: () => CommandTally,
  keyOf: (command: Record<string, unknown>, name: string) => string = (c, name) => `${name} ${typeof c[name] === 'string' ? c[name] : ''}`.trim(),
): void {
  const started = new Map<number, string>();
  db.getClient().on('commandStarted', (e) => started.set(e.requestId, keyOf(e.command as Record<string, unknown>, e.commandName)));
  const done = (e: { requestId: number; duration: number; commandName: string }) => {
    const key = started.get(e.requestId) ?? e.commandName;
    started.delete(e.requestId);
    const tally = into();
    const v = tally.get(key) ?? { n: 0, ms: 0 };
    v.n++;
    v.ms += e.duration;
    tally.set(key, v);
  };
  db.getClient().on('commandSucceeded', done);
  db.getClient().on('commandFailed', done);
}
