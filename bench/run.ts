import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedDb, type EmbeddedDb } from '../src/db/embedded-ferretdb';
import { scenarioA } from './a-incoming';
import { scenarioB } from './b-ringing';
import { scenarioC } from './c-callbacks';
import { scenarioD } from './d-settlements';
import { ROOT, type RunOptions, type ScenarioResult } from './lib';

/**
 * `npm run bench [-- --short] [-- --only=A,C]`: the four scenarios of issue 6, each with its baseline in
 * the same run, on loopback and on the embedded database (or MONGODB_URI when set). Writes
 * bench-results/latest.json and bench-results/latest.md and prints the table. Exit code 0 even when a
 * target is missed (the table says so); 1 when a scenario could not run.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const short = argv.includes('--short');
  const only = argv
    .find((a) => a.startsWith('--only='))
    ?.slice(7)
    .toUpperCase()
    .split(',');
  const outDir = path.join(ROOT, 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  const log = (m: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);

  const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
  const runId = `${process.pid}_${Date.now()}`;
  /**
   * Each scenario gets a fresh embedded database process (or MONGODB_URI with fresh database names):
   * an overloaded scenario (B) can leave the embedded server busy for minutes with the commands of
   * connections that are gone, and must not slow down the next one.
   */
  async function database(): Promise<{ uri: string; pid?: number; stop(): Promise<void> }> {
    if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, stop: async () => {} };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'callback-bench-db-'));
    const embedded: EmbeddedDb = await startEmbeddedDb({ dataDir: tmp, log });
    return {
      uri: embedded.uri,
      pid: embedded.pid,
      async stop() {
        await embedded.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
      },
    };
  }

  const scenarios: [string, (o: RunOptions) => Promise<ScenarioResult>][] = [
    ['A', scenarioA],
    ['B', scenarioB],
    ['C', scenarioC],
    ['D', scenarioD],
  ];
  const results: ScenarioResult[] = [];
  let broken = false;
  for (const [id, run] of scenarios) {
    if (only && !only.includes(id)) continue;
    const t0 = Date.now();
    const db = await database();
    const opts: RunOptions = { short, dbUri: db.uri, dbPid: db.pid, dbName: (s) => `bench_${s.replace(/\W/g, '_')}_${runId}`, log, profileDir: outDir };
    try {
      const r = await run(opts);
      r.figures.durationMs = Date.now() - t0;
      results.push(r);
      log(`${id}: ${r.checks.map((c) => `${c.pass ? 'PASS' : 'MISS'} ${c.name}: ${c.measured}`).join('; ')}`);
    } catch (err) {
      broken = true;
      results.push({
        id,
        title: 'did not run',
        checks: [{ name: `${id} ran`, target: 'runs', measured: String((err as Error).message).slice(0, 300), pass: false }],
        figures: {},
        notes: [String((err as Error).stack)],
      });
      log(`${id} failed to run: ${(err as Error).stack}`);
    } finally {
      await db.stop();
    }
  }

  const env = {
    node: process.version,
    cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}`,
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    fdLimit,
    database: process.env.MONGODB_URI ? 'MONGODB_URI' : 'embedded FerretDB (SQLite, serializing proxy)',
    mode: short ? 'short' : 'full',
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    totalSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
  fs.writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify({ at: new Date().toISOString(), env, results }, null, 2)}\n`);
  const md = markdown(env, results);
  fs.writeFileSync(path.join(outDir, 'latest.md'), md);
  console.log(`\n${md}`);
  process.exit(broken ? 1 : 0);
}

function markdown(env: Record<string, unknown>, results: ScenarioResult[]): string {
  const lines = [
    `# Benchmark (${env.mode}) — ${new Date().toISOString()}`,
    '',
    `Node ${env.node}, ${env.cpus}, ${env.memoryMb} MB, fd limit ${env.fdLimit}, ${env.database}; ${env.totalSeconds} s in all; load average ${(env.loadAverageAtStart as number[]).join('/')} at start, ${(env.loadAverageAtEnd as number[]).join('/')} at end (other work on the machine skews the figures).`,
    '',
    '| scenario | check | target | measured | result |',
    '|---|---|---|---|---|',
  ];
  for (const r of results) for (const c of r.checks) lines.push(`| ${r.id} | ${c.name} | ${c.target} | ${c.measured} | ${c.pass ? 'pass' : '**MISS**'} |`);
  lines.push('');
  for (const r of results) {
    lines.push(`- **${r.id}**: ${r.title}`);
    for (const n of r.notes) lines.push(`  - ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
