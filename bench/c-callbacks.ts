import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callSessionModel } from '../models/call-session';
import { jobModel } from '../models/job';
import { connectDatabase } from '../src/db/connect';
import { TwilioRestStandin } from '../src/twilio-sim/rest-standin';
import {
  BENCH_ACCOUNT_SID,
  BENCH_AUTH_TOKEN,
  BenchChild,
  closedLoop,
  cpuSeconds,
  incomingRequest,
  ms,
  seedCallbackNumber,
  serviceEnv,
  summarize,
  type RunOptions,
  type ScenarioResult,
} from './lib';
import { profileMarkdown, summarizeProfile } from './profile';

/**
 * C. Callbacks due at once, placed by several service instances on one database. The sessions and their
 * `place-callback` jobs are made the real way (incoming webhooks, ring 0, on a service process without
 * background work); then every job's dueAt is set to one instant T a little ahead, and `instances`
 * runner processes (bench/serve.ts in runner mode: JobRunner + placeCallbackHandler, default poll 500 ms,
 * real clock) are started. The Twilio REST stand-in records each calls.create: the latency is its
 * arrival time minus T. The baseline is the same with one instance.
 */
export async function scenarioC(opts: RunOptions): Promise<ScenarioResult> {
  const n = opts.short ? 30 : 500;
  const standin = new TwilioRestStandin({ accountSid: BENCH_ACCOUNT_SID, authToken: BENCH_AUTH_TOKEN, validateTwimlParams: false });
  const standinUrl = await standin.start();
  const notes: string[] = [];
  try {
    const three = await round(opts, standin, standinUrl, n, 3, 'c3');
    standin.reset();
    // The baseline starts from a copy of the same sessions and jobs (made through the webhook once).
    const one = await round(opts, standin, standinUrl, n, 1, 'c1', three.prepared);
    notes.push(...three.notes, `baseline, one instance: p99 ${ms(one.lat.p99)}, all placed after ${ms(one.lat.max)}, ${one.creates} creates`);
    return {
      id: 'C',
      title: `${n} callbacks due at once, 3 service instances (separate processes) on one database, Twilio REST stand-in`,
      checks: [
        {
          name: 'C each callback placed exactly once',
          target: `${n} creates, ${n} distinct`,
          measured: `${three.creates} creates, ${three.distinct} distinct, ${three.jobsDone} jobs finished`,
          pass: three.creates === n && three.distinct === n && three.jobsDone === n,
        },
        {
          name: 'C due time → calls.create p99',
          target: '< 1500 ms',
          measured: `${ms(three.lat.p99)} (p50 ${ms(three.lat.p50)}, max ${ms(three.lat.max)}; 1 instance p99 ${ms(one.lat.p99)})`,
          pass: three.lat.p99 < 1500 && three.creates === n,
        },
      ],
      figures: { n, threeInstances: { ...three, prepared: undefined }, oneInstance: { ...one, prepared: undefined } },
      notes,
    };
  } finally {
    await standin.stop();
  }
}

type Docs = Record<string, Record<string, unknown>[]>;
type CommandStats = Record<string, { n: number; ms: number }>;

function commandProfile(perInstance: CommandStats[]): string {
  const sum = new Map<string, { n: number; ms: number }>();
  for (const stats of perInstance) {
    for (const [k, v] of Object.entries(stats ?? {})) {
      const t = sum.get(k) ?? { n: 0, ms: 0 };
      t.n += v.n;
      t.ms += v.ms;
      sum.set(k, t);
    }
  }
  return [...sum.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 8)
    .map(([k, v]) => `${k} ${v.n}× ${Math.round(v.ms)} ms (${(v.ms / v.n).toFixed(1)} ms each)`)
    .join('; ');
}

async function round(opts: RunOptions, standin: TwilioRestStandin, standinUrl: string, n: number, instances: number, name: string, from?: Docs) {
  const notes: string[] = [];
  const db = await connectDatabase(opts.dbUri, opts.dbName(name));
  const runners: BenchChild[] = [];
  let prepared: Docs = {};
  try {
    if (from) {
      for (const [coll, docs] of Object.entries(from)) if (docs.length) await db.db!.collection(coll).insertMany(docs.map((d) => ({ ...d })));
      prepared = from;
    } else {
      const svc = new BenchChild('bench/serve.ts', serviceEnv(opts, name));
      try {
        const { port } = (await svc.started()) as { port: number };
        await seedCallbackNumber(port, 0);
        opts.log(`C: ${n} incoming calls (webhooks, ring 0)`);
        const made = await closedLoop(
          port,
          Array.from({ length: n }, (_, i) => incomingRequest(200_000 + i)),
          20,
        );
        const badIncoming = made.results.filter((r) => r.status !== 200).length;
        if (badIncoming) notes.push(`${badIncoming} incoming calls did not answer 200`);
      } finally {
        await svc.stop();
      }
      const names = (await db.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((c) => !c.startsWith('system.'));
      for (const coll of names) prepared[coll] = (await db.db!.collection(coll).find({}).toArray()) as Record<string, unknown>[];
    }
    opts.log(`C: ${instances} instance(s) place the callbacks`);
    const queued = await jobModel(db).countDocuments({ state: 'queued' });
    if (queued !== n) notes.push(`${queued} jobs queued for ${n} calls`);

    // In the full run, the first of several instances is CPU-profiled (written when it exits).
    const profDir = instances > 1 && !opts.short && opts.profileDir ? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-c-profile-')) : undefined;
    for (let i = 0; i < instances; i++) {
      const env = serviceEnv(opts, name, { BENCH_MODE: 'runner', BENCH_OWNER: `bench-instance-${i + 1}`, BENCH_TWILIO_API_BASE_URL: standinUrl });
      runners.push(new BenchChild('bench/serve.ts', env, { cpuProfDir: i === 0 ? profDir : undefined }));
    }
    await Promise.all(runners.map((r) => r.started()));
    const due = new Date(Date.now() + 1_500);
    await jobModel(db).updateMany({ state: 'queued' }, { $set: { dueAt: due } });
    await Promise.all(runners.map((r) => r.request('runner-start')));
    const deadline = Date.now() + (opts.short ? 20_000 : 60_000);
    await new Promise((r) => setTimeout(r, Math.max(0, due.getTime() - Date.now())));
    const dbCpu0 = cpuSeconds(opts.dbPid);
    while (standin.callsCreated().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const dbCpu1 = cpuSeconds(opts.dbPid);
    const busyFor = (Date.now() - due.getTime()) / 1000;
    if (dbCpu0 !== null && dbCpu1 !== null)
      notes.push(
        `${instances} instance(s): the embedded database process used ${Math.round(((dbCpu1 - dbCpu0) / busyFor) * 100)} % of a core from the due time until the last create`,
      );
    await new Promise((r) => setTimeout(r, 1_500)); // any duplicate would show up now
    const stopped = await Promise.all(runners.map((r) => r.request('runner-stop')));
    notes.push(
      `${instances} instance(s), database commands summed over the instances (count, total ms as the driver saw it, queueing in the serial proxy included): ${commandProfile(stopped.map((s) => s.commands as CommandStats))}`,
    );

    const creates = standin.callsCreated();
    const lat = summarize(creates.map((c) => c.at.getTime() - due.getTime()));
    const distinct = new Set(creates.map((c) => String(c.params.To))).size;
    // Finished jobs are removed by the runner: done = none left queued or running.
    const jobsDone = n - (await jobModel(db).countDocuments({}));
    const sessionsWithCall = await callSessionModel(db).countDocuments({ 'callback.callSid': { $ne: null } });
    if (standin.violations.length) notes.push(`stand-in saw ${standin.violations.length} OpenAPI violations: ${standin.violations[0]}`);
    if (creates.length < n) notes.push(`${instances} instance(s): only ${creates.length} of ${n} callbacks placed before the deadline`);
    await Promise.all(runners.map((r) => r.stop()));
    const prof = profDir && fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (profDir && prof) {
      fs.writeFileSync(path.join(opts.profileDir!, 'c-profile.md'), `${profileMarkdown(summarizeProfile(path.join(profDir, prof)))}\n`);
      notes.push(`CPU profile of instance 1 (whole life of the process, start-up included): bench-results/c-profile.md (raw: ${path.join(profDir, prof)})`);
    }
    return { instances, creates: creates.length, distinct, jobsDone, sessionsWithCall, lat, notes, placedWithinMs: lat.max, prepared };
  } finally {
    await Promise.all(runners.map((r) => r.stop()));
    await db.close();
  }
}
