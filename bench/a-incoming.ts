import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDatabase } from '../src/db/connect';
import { BenchChild, cpuSeconds, closedLoop, incomingRequest, ms, seedCallbackNumber, serviceEnv, summarize, type RunOptions, type ScenarioResult } from './lib';
import { profileMarkdown, summarizeProfile, type ProfileSummary } from './profile';

/**
 * A. The incoming-call webhook, full path, ring time 0, against the minimal Express + twilio app.
 * Both run in their own child process; the load generator (this process) is the same for both:
 * 50 keep-alive connections, closed loop, each request a fresh CallSid and caller, correctly signed.
 */
export async function scenarioA(opts: RunOptions): Promise<ScenarioResult> {
  const connections = 50;
  const n = opts.short ? 300 : 6_000;
  const warm = opts.short ? 20 : 200;
  /** The embedded database scans whole collections (see the notes), so the service run is bounded in time too. */
  const maxMs = opts.short ? 8_000 : 40_000;
  const notes: string[] = [];

  const runService = async (count: number, cpuProfDir?: string) => {
    const svc = new BenchChild('bench/serve.ts', serviceEnv(opts, cpuProfDir ? 'a-profiled' : 'a'), { cpuProfDir });
    const { port } = (await svc.started()) as { port: number };
    try {
      await seedCallbackNumber(port, 0);
      let i = 0;
      await closedLoop(
        port,
        Array.from({ length: warm }, () => incomingRequest(i++)),
        connections,
      );
      const reqs = Array.from({ length: count }, () => incomingRequest(i++));
      const dbCpu0 = cpuSeconds(opts.dbPid);
      const r = await closedLoop(port, reqs, connections, count === n ? maxMs : 25_000);
      const dbCpu1 = cpuSeconds(opts.dbPid);
      const dbCpuPct = dbCpu0 === null || dbCpu1 === null ? null : Math.round(((dbCpu1 - dbCpu0) / (r.elapsedMs / 1000)) * 100);
      return { ...r, dbCpuPct };
    } finally {
      await svc.stop();
    }
  };

  opts.log(`A: service, ${n} requests at ${connections} connections`);
  const service = await runService(n);
  opts.log('A: baseline');
  const base = new BenchChild('bench/serve.ts', serviceEnv(opts, 'a-baseline', { BENCH_MODE: 'baseline' }));
  const { port: basePort } = (await base.started()) as { port: number };
  let baseline: Awaited<ReturnType<typeof closedLoop>>;
  try {
    let i = 0;
    await closedLoop(
      basePort,
      Array.from({ length: warm }, () => incomingRequest(i++)),
      connections,
    );
    baseline = await closedLoop(
      basePort,
      Array.from({ length: n }, () => incomingRequest(i++)),
      connections,
      maxMs,
    );
  } finally {
    await base.stop();
  }

  const good = (r: { status: number; body: string }) => r.status === 200 && /<Reject reason="busy"\/>/.test(r.body);
  const bad = service.results.filter((r) => !good(r));
  const baseBad = baseline.results.filter((r) => r.status !== 200 || !/<Reject\/>/.test(r.body));
  const lat = summarize(service.results.map((r) => r.latencyMs));
  const baseLat = summarize(baseline.results.map((r) => r.latencyMs));
  const ratio = service.rps / baseline.rps;
  if (bad.length) notes.push(`${bad.length} service answers were not 200 <Reject reason="busy"/>; first: ${bad[0]!.status} ${bad[0]!.error ?? bad[0]!.body.slice(0, 200)}`);
  if (baseBad.length) notes.push(`${baseBad.length} baseline answers were not 200 <Reject/>`);

  const served = service.results.length;
  if (service.dbCpuPct !== null)
    notes.push(`the embedded database process used ${service.dbCpuPct} % of a core during the service run (the service process itself: see the profile)`);
  let probe: { docs: number; ms: number }[] | undefined;
  if (!opts.short) {
    probe = await scanProbe(opts);
    notes.push(`database probe, findOne on an indexed field that matches nothing: ${probe.map((p) => `${ms(p.ms)} at ${p.docs} documents`).join(', ')}`);
  }
  if (served < n)
    notes.push(`the service answered ${served} of ${n} requests within the ${maxMs / 1000} s budget (after ${warm} warm-up calls); throughput and percentiles are over those`);
  const checks = [
    { name: 'A throughput vs baseline', target: '≥ 0.5', measured: `${ratio.toFixed(3)} (${service.rps.toFixed(0)} vs ${baseline.rps.toFixed(0)} req/s)`, pass: ratio >= 0.5 },
    {
      name: 'A p99 latency, 50 connections',
      target: '< 25 ms',
      measured: `${ms(lat.p99)} (p50 ${ms(lat.p50)}, p95 ${ms(lat.p95)}; baseline p99 ${ms(baseLat.p99)})`,
      pass: lat.p99 < 25,
    },
    { name: 'A every answer is the busy reject', target: 'all', measured: `${served - bad.length}/${served}`, pass: bad.length === 0 },
  ];

  let profile: ProfileSummary | undefined;
  if (checks.some((c) => !c.pass) && !opts.short && opts.profileDir) {
    opts.log('A: missed a target: profiling the service (node --cpu-prof)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-a-profile-')); // raw profiles are large: kept out of the repo
    fs.mkdirSync(dir, { recursive: true });
    await runService(Math.min(n, 4_000), dir); // bounded at 25 s
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      profile = summarizeProfile(path.join(dir, file));
      fs.writeFileSync(path.join(opts.profileDir, 'a-profile.md'), `${profileMarkdown(profile)}\n`);
      notes.push(`CPU profile of the service under load: bench-results/a-profile.md (raw: ${path.join(dir, file)})`);
    }
  }

  return {
    id: 'A',
    title: `Incoming-call webhook, full path, ring 0 (${n} requests, ${connections} connections) vs minimal Express + twilio`,
    checks,
    figures: {
      requests: n,
      served: service.results.length,
      warmup: warm,
      connections,
      service: { rps: service.rps, elapsedMs: service.elapsedMs, latency: lat, failures: bad.length },
      baseline: { rps: baseline.rps, elapsedMs: baseline.elapsedMs, latency: baseLat },
      ratio,
      profile,
      dbScanProbe: probe,
      dbCpuPct: service.dbCpuPct,
    },
    notes,
  };
}

/** How a single-field lookup on an indexed field scales with the collection on this database. */
async function scanProbe(opts: RunOptions): Promise<{ docs: number; ms: number }[]> {
  const db = await connectDatabase(opts.dbUri, opts.dbName('a-probe'));
  try {
    const c = db.db!.collection('probe');
    await c.createIndex({ k: 1 }, { unique: true });
    const out: { docs: number; ms: number }[] = [];
    for (const size of [0, 1_000, 2_000]) {
      const have = await c.countDocuments();
      if (size > have) await c.insertMany(Array.from({ length: size - have }, (_, i) => ({ k: `k${have + i}`, pad: 'x'.repeat(600) })));
      const t = performance.now();
      for (let i = 0; i < 20; i++) await c.findOne({ k: `absent-${i}` });
      out.push({ docs: size, ms: (performance.now() - t) / 20 });
    }
    return out;
  } finally {
    await db.close();
  }
}
