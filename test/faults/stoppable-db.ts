import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ensureFerretDbBinary } from '../../src/db/embedded-ferretdb';

/**
 * The embedded database (the same FerretDB binary the service runs), but on a fixed loopback port the
 * test chooses, so it can be killed and started again on the same files and address while an app's
 * connection stays open: the way a MongoDB server goes down and comes back under a running service.
 */
export class StoppableDb {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-db-'));
  port = 0;
  private child: ChildProcess | null = null;

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    if (!this.port)
      this.port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const { port } = s.address() as net.AddressInfo;
          s.close(() => resolve(port));
        });
      });
    const binary = await ensureFerretDbBinary();
    const child = spawn(binary, ['-dir', path.join(this.dir, 'ferretdb'), '-listen', `127.0.0.1:${this.port}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    const stderr: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`FerretDB did not start: ${stderr.join('')}`)), 30_000);
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('READY ')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`FerretDB exited (${code}) before it was ready: ${stderr.join('')}`));
      });
    });
    child.stdout!.resume();
  }

  /** The database dies (SIGKILL): connections drop, nothing answers on the port until start(). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  async destroy(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
