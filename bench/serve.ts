import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mongoose from 'mongoose';
import pino from 'pino';
import { createApp } from '../routes/app';
import type { AppConfig, AppDeps } from '../src/deps';
import { placeCallbackHandler } from '../src/callflow/place-callback';
import { systemClock, systemRandom } from '../src/clock';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/connect';
import { JobRunner } from '../src/jobs/job-runner';
import { createLogger, type Logger } from '../src/logger';
import { SecretBox } from '../src/security/secret-box';
import { createTwilioClient } from '../src/twilio/rest-client';
import { countLiveJobs } from '../src/domain/jobs/job-counts';
import { observeDatabaseCommands } from '../src/metrics/db-commands';
import { createMetrics } from '../src/metrics/metrics';
import { createBaselineApp } from './baseline-app';
import { tallyCommands, type CommandTally } from './lib';

/**
 * A benchmark child process, driven over IPC by bench/run.ts:
 *   BENCH_MODE=service   the real app (createApp) on 127.0.0.1, as src/server.ts wires it, without the
 *                        background job runner (jobs written by webhooks stay queued);
 *   BENCH_MODE=baseline  bench/baseline-app.ts;
 *   BENCH_MODE=runner    one service instance's JobRunner (place-callback) against the Twilio stand-in.
 * Every mode answers `stats-start` / `stats-stop` with its own event-loop delay and RSS.
 * stdout is not read by the parent: the service's log (LOG_LEVEL, default info) costs what it costs in
 * production, but goes nowhere.
 */

type Msg = { type: string; [k: string]: unknown };

/** Per command and collection: how many, and their summed duration as the driver saw it (queueing included). */
const commandStats: CommandTally = new Map();
const send = (m: Record<string, unknown>) => process.send?.(m);

async function main(): Promise<void> {
  const mode = process.env.BENCH_MODE ?? 'service';
  const base = loadConfig(process.env);
  const config: AppConfig = {
    ...base,
    twilio: { ...base.twilio, accountSid: base.twilio.accountSid!, authToken: base.twilio.authToken! },
  };
  let db: mongoose.Connection | undefined;
  let server: http.Server | undefined;
  let runner: JobRunner | undefined;

  if (mode === 'runner') {
    // The runner reports what its database commands cost (C's profile: the time is in the database).
    db = await mongoose.createConnection(process.env.BENCH_DB_URI!, { dbName: process.env.BENCH_DB_NAME!, monitorCommands: true }).asPromise();
    tallyCommands(db, () => commandStats);
  } else if (mode !== 'baseline') {
    db = await connectDatabase(process.env.BENCH_DB_URI!, process.env.BENCH_DB_NAME!);
  }
  // As src/server.ts wires them: the metrics cost what they cost in production.
  const metrics = createMetrics({ processMetrics: true, ...(db ? { jobQueue: () => countLiveJobs(db!, systemClock.now()) } : {}) });
  if (db) observeDatabaseCommands(db, metrics);
  const logger: Logger = mode === 'runner' ? (pino({ level: 'warn' }, pino.destination(2)) as Logger) : (createLogger(config.logLevel) as Logger);
  const deps: AppDeps | undefined = db
    ? {
        config,
        db,
        twilio: createTwilioClient({
          accountSid: config.twilio.accountSid,
          authToken: config.twilio.authToken,
          apiBaseUrl: process.env.BENCH_TWILIO_API_BASE_URL ?? 'http://127.0.0.1:9',
          onError: (e) => metrics.twilioError(e.code, e.status),
        }),
        clock: systemClock,
        random: systemRandom,
        logger,
        secretBox: new SecretBox(Buffer.alloc(32, 7)),
        metrics,
      }
    : undefined;

  if (mode === 'runner') {
    runner = new JobRunner(deps!, { 'place-callback': placeCallbackHandler(deps!) }, { owner: process.env.BENCH_OWNER, concurrency: config.jobConcurrency });
  } else {
    const app =
      mode === 'baseline'
        ? createBaselineApp({ authToken: config.twilio.authToken, publicBaseUrl: config.publicBaseUrl, holdMs: Number(process.env.BENCH_HOLD_MS ?? 0) })
        : createApp(deps!);
    server = http.createServer(app);
    server.requestTimeout = 30_000;
    server.headersTimeout = 20_000;
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  }

  let eld: ReturnType<typeof monitorEventLoopDelay> | undefined;
  let rssTimer: NodeJS.Timeout | undefined;
  let rssBefore = 0;
  let rssPeak = 0;

  process.on('message', (m: Msg) => {
    void (async () => {
      switch (m.type) {
        case 'stats-start':
          eld = monitorEventLoopDelay({ resolution: 10 });
          eld.enable();
          rssBefore = process.memoryUsage().rss;
          rssPeak = rssBefore;
          rssTimer = setInterval(() => {
            rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
          }, 100);
          send({ type: 'stats-start:done' });
          break;
        case 'stats-stop': {
          eld?.disable();
          clearInterval(rssTimer);
          const h = eld!;
          const rssAfter = process.memoryUsage().rss;
          send({
            type: 'stats-stop:done',
            eld: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, mean: h.mean / 1e6 },
            rssBefore,
            rssPeak: Math.max(rssPeak, rssAfter),
            rssAfter,
          });
          break;
        }
        case 'runner-start':
          runner!.start();
          send({ type: 'runner-start:done' });
          break;
        case 'runner-stop':
          await runner!.stop();
          send({ type: 'runner-stop:done', commands: Object.fromEntries(commandStats) });
          break;
        case 'exit':
          await runner?.stop();
          server?.closeAllConnections();
          await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
          await db?.close();
          process.exit(0);
      }
    })().catch((err) => {
      process.stderr.write(`bench child: ${(err as Error).stack}\n`);
      process.exit(1);
    });
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port: server ? (server.address() as { port: number }).port : null, pid: process.pid });
}

main().catch((err) => {
  process.stderr.write(`bench child failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
