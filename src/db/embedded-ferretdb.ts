import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

/**
 * The embedded MongoDB-compatible database: FerretDB (SQLite backend) built from the Go module proxy
 * through our small wrapper module in `embedded-db/`, run as a child process on a free loopback port.
 *
 * The binary is cached outside the repo, keyed by a hash of the wrapper's sources, so it is built once
 * per machine and rebuilt only when go.mod/go.sum or a .go file of the wrapper changes.
 * The wrapper also puts a serializing proxy in front of FerretDB so every command is atomic, as on
 * MongoDB (see embedded-db/serial_proxy.go for why).
 */

const WRAPPER_DIR = path.resolve(__dirname, '../../embedded-db');
const BINARY_NAME = 'ferretdb-embedded';

export class EmbeddedDbError extends Error {
  override name = 'EmbeddedDbError';
}

function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'twilio-callback-service');
}

/** Hash of go.mod, go.sum and every .go file of the wrapper: any change means a rebuild. */
export function wrapperHash(): string {
  const h = createHash('sha256');
  const files = fs
    .readdirSync(WRAPPER_DIR)
    .filter((f) => f === 'go.mod' || f === 'go.sum' || (f.endsWith('.go') && !f.endsWith('_test.go')))
    .sort();
  for (const f of files) h.update(f).update(fs.readFileSync(path.join(WRAPPER_DIR, f)));
  return h.digest('hex').slice(0, 16);
}

export function cachedBinaryPath(): string {
  return path.join(cacheRoot(), `ferretdb-${wrapperHash()}`, BINARY_NAME);
}

function goAvailable(): boolean {
  const r = spawnSync('go', ['version'], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * Returns the path of a ready binary, building it first when the cache has none for these sources.
 * The build runs as an async child so a Ctrl-C or SIGTERM during a first start stops it too.
 */
export async function ensureFerretDbBinary(
  log: (msg: string) => void = () => {},
  signal?: AbortSignal,
): Promise<string> {
  const binary = cachedBinaryPath();
  if (fs.existsSync(binary)) return binary;
  if (!goAvailable()) {
    throw new EmbeddedDbError(
      'No database configured: MONGODB_URI is not set, and the embedded database needs Go (1.24 or newer) ' +
        'to be built once. Install Go (Debian: `apt-get install golang`, or https://go.dev/dl/) and start ' +
        'again, or set MONGODB_URI to a MongoDB server (e.g. mongodb://localhost:27017/callback or an Atlas URI).',
    );
  }
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  log(`Building the embedded database (FerretDB) once into ${path.dirname(binary)}; this takes a minute or two...`);
  const started = Date.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('go', ['build', '-trimpath', '-o', tmp, '.'], {
      cwd: WRAPPER_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CGO_ENABLED: '0' },
      signal,
    });
    child.once('error', reject);
    child.once('exit', resolve);
  }).catch((err: unknown) => {
    fs.rmSync(tmp, { force: true });
    throw new EmbeddedDbError(`Building the embedded database was stopped: ${(err as Error).message}`);
  });
  if (code !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new EmbeddedDbError(`Building the embedded database failed (go build exited with ${code}); see the output above.`);
  }
  // rename is atomic: a concurrent start sees either no binary or a whole one.
  fs.renameSync(tmp, binary);
  log(`Embedded database built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return binary;
}

export interface EmbeddedDb {
  uri: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts FerretDB with its files under dataDir and resolves once it accepts connections.
 * The child watches its stdin: when this process dies in any way (even SIGKILL) the pipe closes and
 * the database exits, so no orphan is left behind.
 */
export async function startEmbeddedDb(opts: {
  dataDir: string;
  log?: (msg: string) => void;
  startTimeoutMs?: number;
  signal?: AbortSignal;
}): Promise<EmbeddedDb> {
  const binary = await ensureFerretDbBinary(opts.log, opts.signal);
  const dir = path.join(path.resolve(opts.dataDir), 'ferretdb');
  fs.mkdirSync(dir, { recursive: true });

  const child = spawn(binary, ['-dir', dir, '-listen', '127.0.0.1:0'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderrTail: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrTail.push(chunk);
    if (stderrTail.length > 20) stderrTail.shift();
  });

  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new EmbeddedDbError(`The embedded database did not start within ${opts.startTimeoutMs ?? 60_000} ms`));
    }, opts.startTimeoutMs ?? 60_000);
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^READY (\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new EmbeddedDbError(`The embedded database exited (code ${code}) before it was ready:\n${stderrTail.join('')}`));
    });
  });
  // Keep reading so the child never blocks on a full pipe.
  child.stdout!.resume();

  return { uri, pid: child.pid!, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
