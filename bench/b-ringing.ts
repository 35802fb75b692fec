import http from 'node:http';
import { spawnSync } from 'node:child_process';
import {
  BenchChild,
  incomingRequest,
  ms,
  postForm,
  seedCallbackNumber,
  serviceEnv,
  summarize,
  type ChildStats,
  type HttpResult,
  type RunOptions,
  type ScenarioResult,
} from './lib';

/**
 * B. Many calls ringing at once: each incoming webhook is held for the ring time (triggerAfterSeconds)
 * before its `<Reject reason="busy"/>`. Calls arrive over a short ramp, so that all of them are ringing
 * together at the end of it. The service runs in its own process (bench/serve.ts), which samples its own
 * event-loop delay (monitorEventLoopDelay, 10 ms resolution) and RSS every 100 ms; the same is measured
 * on the baseline app holding its answers as long.
 *
 * Each call is one TCP connection (a fresh one, as Twilio's are): this process and the service each hold
 * `calls` sockets, so the open-file limit (ulimit -n) must be above calls + a few hundred; the count is
 * capped to fit when it is not.
 */
const TOLERANCE_MS = 1_000;
const MB = 2 ** 20;

export async function scenarioB(opts: RunOptions): Promise<ScenarioResult> {
  const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || 1024;
  const wanted = opts.short ? 100 : 2_000;
  const calls = Math.min(wanted, fdLimit - 300);
  const holdS = opts.short ? 2 : 10;
  const rampMs = opts.short ? 500 : 5_000;
  const notes: string[] = [`open-file limit ${fdLimit}; ${calls} simultaneous connections per process`];
  if (calls < wanted) notes.push(`capped at ${calls} calls by the open-file limit (raise it with ulimit -n)`);
  notes.push(`calls arrive evenly over ${rampMs / 1000} s (${Math.round((calls / rampMs) * 1000)}/s) and are held ${holdS} s, so all of them ring at once at the end of the ramp`);

  const drive = async (port: number, child: BenchChild) => {
    await child.request('stats-start');
    const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
    const reqs = Array.from({ length: calls }, (_, i) => incomingRequest(100_000 + i));
    const started = performance.now();
    const pending: Promise<HttpResult>[] = [];
    for (let i = 0; i < calls; i++) {
      const due = started + (rampMs * i) / calls;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(postForm(agent, port, reqs[i]!, holdS * 1000 + 60_000));
    }
    const results = await Promise.all(pending);
    const stats = (await child.request('stats-stop')) as unknown as ChildStats;
    agent.destroy();
    return { results, stats, elapsedMs: performance.now() - started };
  };

  opts.log(`B: service, ${calls} calls held ${holdS} s`);
  const svc = new BenchChild('bench/serve.ts', serviceEnv(opts, 'b'));
  let service: Awaited<ReturnType<typeof drive>>;
  try {
    const { port } = (await svc.started()) as { port: number };
    await seedCallbackNumber(port, holdS);
    service = await drive(port, svc);
  } finally {
    await svc.stop();
  }
  opts.log('B: baseline');
  const base = new BenchChild('bench/serve.ts', serviceEnv(opts, 'b-baseline', { BENCH_MODE: 'baseline', BENCH_HOLD_MS: String(holdS * 1000) }));
  let baseline: Awaited<ReturnType<typeof drive>>;
  try {
    const { port } = (await base.started()) as { port: number };
    baseline = await drive(port, base);
  } finally {
    await base.stop();
  }

  const holdMs = holdS * 1000;
  const ok = service.results.filter((r) => r.status === 200 && /<Reject reason="busy"\/>/.test(r.body));
  const onTime = ok.filter((r) => r.latencyMs >= holdMs - 50 && r.latencyMs <= holdMs + TOLERANCE_MS);
  const lateness = summarize(ok.map((r) => r.latencyMs - holdMs));
  const failed = service.results.filter((r) => !ok.includes(r));
  if (failed.length) {
    const apology = failed.filter((r) => r.status === 200 && /We are sorry/.test(r.body)).length;
    const noAnswer = failed.filter((r) => r.status === 0).length;
    const s5 = failed.filter((r) => r.status >= 500).length;
    notes.push(
      `${failed.length} calls got no busy reject: ${apology} the apology TwiML (a database error inside the service), ${noAnswer} no answer within ring + 60 s, ${s5} 5xx, ${failed.length - apology - noAnswer - s5} other`,
    );
  }
  notes.push(`answer time minus the ring time: p50 ${ms(lateness.p50)}, p99 ${ms(lateness.p99)}, max ${ms(lateness.max)}`);
  const s = service.stats;
  const b = baseline.stats;
  const rssMb = s.rssPeak / MB;
  return {
    id: 'B',
    title: `${calls} calls ringing at once (held ${holdS} s) vs the baseline app holding as long`,
    checks: [
      { name: 'B event-loop delay p99 (service)', target: '< 20 ms', measured: `${ms(s.eld.p99)} (max ${ms(s.eld.max)}; baseline p99 ${ms(b.eld.p99)})`, pass: s.eld.p99 < 20 },
      {
        name: 'B RSS of the service process (peak)',
        target: '< 300 MB',
        measured: `${rssMb.toFixed(0)} MB (+${((s.rssPeak - s.rssBefore) / MB).toFixed(0)} MB under load; baseline ${(b.rssPeak / MB).toFixed(0)} MB)`,
        pass: rssMb < 300,
      },
      {
        name: 'B every call rejected on time',
        target: `${calls}/${calls} within ring + ${TOLERANCE_MS / 1000} s`,
        measured: `${onTime.length}/${calls} (p99 lateness ${ms(lateness.p99)})`,
        pass: onTime.length === calls,
      },
    ],
    figures: {
      calls,
      holdS,
      rampMs,
      fdLimit,
      service: { stats: s, lateness, failures: failed.length, elapsedMs: service.elapsedMs },
      baseline: { stats: b, lateness: summarize(baseline.results.map((r) => r.latencyMs - holdMs)) },
    },
    notes,
  };
}
