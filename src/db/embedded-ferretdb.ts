import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { secureDataDir, withPrivateUmask } from '../data-dir';
import { applyFerretDbPatches, FERRETDB_MODULE, FERRETDB_PATCHES } from './ferretdb-patches';

/**
 * The embedded MongoDB-compatible database: FerretDB (SQLite backend) built from the Go module proxy
 * through our small wrapper module in `embedded-db/`, run as a child process on a free loopback port.
 *
 * The binary is cached outside the repo, keyed by a hash of the wrapper's sources and of our patches to
 * FerretDB (see ferretdb-patches.ts), so it is built once per machine and rebuilt only when they change.
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

/** Hash of go.mod, go.sum, every .go file of the wrapper and the FerretDB patches: any change means a rebuild. */
export function wrapperHash(): string {
  const h = createHash('sha256').update(JSON.stringify(FERRETDB_PATCHES));
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
export async function ensureFerretDbBinary(log: (msg: string) => void = () => {}, signal?: AbortSignal): Promise<string> {
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
  const work = `${binary}.${process.pid}.build`;
  log(`Building the embedded database (FerretDB) once into ${path.dirname(binary)}; this takes a minute or two...`);
  const started = Date.now();
  try {
    const modfile = await patchedModule(work, signal);
    const code = await run('go', ['build', '-modfile', modfile, '-trimpath', '-o', tmp, '.'], signal);
    if (code !== 0) throw new EmbeddedDbError(`Building the embedded database failed (go build exited with ${code}); see the output above.`);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err instanceof EmbeddedDbError ? err : new EmbeddedDbError(`Building the embedded database was stopped: ${(err as Error).message}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  // rename is atomic: a concurrent start sees either no binary or a whole one.
  fs.renameSync(tmp, binary);
  log(`Embedded database built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return binary;
}

/** Runs a command in the wrapper's directory with its output shown; resolves with the exit code. */
function run(cmd: string, args: string[], signal?: AbortSignal, capture?: (out: string) => void): Promise<number | null> {
  return new Promise<number | null>((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: WRAPPER_DIR,
      stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
      env: { ...process.env, CGO_ENABLED: '0' },
      signal,
    });
    if (capture) {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stdout!.once('end', () => capture(out));
    }
    child.once('error', reject);
    child.once('close', resolve);
  });
}

/**
 * A patched copy of the FerretDB module in `work/ferretdb` and a go.mod (returned) that replaces the
 * module with it; the wrapper's own go.mod and go.sum are left untouched.
 */
async function patchedModule(work: string, signal?: AbortSignal): Promise<string> {
  let json = '';
  const code = await run('go', ['mod', 'download', '-json', FERRETDB_MODULE], signal, (out) => (json = out));
  const dir = code === 0 ? (JSON.parse(json) as { Dir?: string }).Dir : undefined;
  if (!dir) throw new EmbeddedDbError(`Could not download ${FERRETDB_MODULE} (go mod download exited with ${code}).`);
  const copy = path.join(work, 'ferretdb');
  fs.cpSync(dir, copy, { recursive: true });
  makeWritable(copy);
  try {
    applyFerretDbPatches(copy);
  } catch (err) {
    throw new EmbeddedDbError((err as Error).message);
  }
  const modfile = path.join(work, 'go.mod');
  const goMod = fs.readFileSync(path.join(WRAPPER_DIR, 'go.mod'), 'utf8');
  fs.writeFileSync(modfile, `${goMod}\nreplace ${FERRETDB_MODULE} => ${copy}\n`);
  fs.copyFileSync(path.join(WRAPPER_DIR, 'go.sum'), path.join(work, 'go.sum'));
  return modfile;
}

/** The module cache is read-only; the copy must be patchable and removable after the build. */
function makeWritable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(p);
    else fs.chmodSync(p, 0o644);
  }
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
export async function startEmbeddedDb(opts: { dataDir: string; log?: (msg: string) => void; startTimeoutMs?: number; signal?: AbortSignal }): Promise<EmbeddedDb> {
  const binary = await ensureFerretDbBinary(opts.log, opts.signal);
  const dir = path.join(path.resolve(opts.dataDir), 'ferretdb');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  secureDataDir(path.resolve(opts.dataDir));

  // The SQLite files (and their -wal/-shm, made later) are created by the child: under umask 077 they
  // are 0600 instead of 0644. The child inherits the umask at spawn, which is synchronous.
  const child = withPrivateUmask(() =>
    spawn(binary, ['-dir', dir, '-listen', '127.0.0.1:0'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
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
