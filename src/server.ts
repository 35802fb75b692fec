import fs from 'node:fs';
import http from 'node:http';
import type mongoose from 'mongoose';
import { createApp } from '../routes/app';
import type { AppConfig, AppDeps } from './deps';
import { startBackgroundWork } from './callflow/background';
import { systemClock, systemRandom } from './clock';
import { ConfigError, loadConfig, type Config } from './config';
import { secureDataDir } from './data-dir';
import { connectDatabase } from './db/connect';
import { EmbeddedDbError, startEmbeddedDb, type EmbeddedDb } from './db/embedded-ferretdb';
import { loadOrCreateDataKey, loadOrCreateLocalCredentials } from './local-credentials';
import { SecretBox } from './security/secret-box';
import { createLogger, type Logger } from './logger';
import { createTwilioClient } from './twilio/rest-client';
import { ensureBootstrapAdminKey } from './domain/api-keys';
import { ensureDemoData } from './local/demo-data';
import { countLiveJobs } from './domain/jobs/job-counts';
import { observeDatabaseCommands } from './metrics/db-commands';
import { createMetrics } from './metrics/metrics';

/** The only place that connects the database and listens. */

function readConfig(): Config {
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** Without ADMIN_API_KEY, the generated operator key (first start only); in local mode, the demo data. */
async function firstStartData(config: Config, db: mongoose.Connection): Promise<void> {
  if (!config.adminApiKey) {
    const generated = await ensureBootstrapAdminKey(db, new Date());
    if (generated) {
      // Printed once, on purpose outside the structured log; only its hash is stored.
      process.stdout.write(
        `\nOperator API key (shown only now; only its hash is kept):\n\n    ${generated}\n\n` +
          'Use it as "Authorization: Bearer <key>" on /api. Set ADMIN_API_KEY to use a key of your own.\n\n',
      );
    }
  }
  if (config.twilio.mode === 'local') {
    const demo = await ensureDemoData(db, new Date());
    if (demo) process.stdout.write(`\n${demo}\n\n`);
  }
}

/** The dependencies every part is given: the settled Twilio credentials (the account's or the simulator's) and the outside world. */
function buildDeps(config: Config, db: mongoose.Connection, logger: Logger): AppDeps {
  const creds = config.twilio.mode === 'twilio' ? { accountSid: config.twilio.accountSid!, authToken: config.twilio.authToken! } : loadOrCreateLocalCredentials(config.dataDir);
  if (config.twilio.mode === 'local') {
    logger.warn('no Twilio credentials: local simulator mode (webhooks are signed with the simulator token in DATA_DIR)');
  }
  const appConfig: AppConfig = { ...config, twilio: { ...config.twilio, ...creds } };
  // Local mode talks to the phone simulator (`npm run phone`) unless told otherwise.
  const apiBaseUrl = config.twilio.apiBaseUrl ?? (config.twilio.mode === 'local' ? `http://127.0.0.1:${config.simulatorPort}` : undefined);
  const metrics = createMetrics({ processMetrics: true, jobQueue: () => countLiveJobs(db, systemClock.now()) });
  observeDatabaseCommands(db, metrics);
  const twilio = createTwilioClient({ ...creds, apiBaseUrl, onError: (e) => metrics.twilioError(e.code, e.status) });
  const secretBox = new SecretBox(config.dataEncryptionKey ?? loadOrCreateDataKey(config.dataDir));
  return { config: appConfig, db, twilio, clock: systemClock, random: systemRandom, logger, secretBox, metrics };
}

/** Signals stop gracefully; a crash is logged and stops too (with exit code 1). */
function onStopSignals(logger: Logger, shutdown: (reason: string, exitCode: number) => Promise<void>): void {
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });
}

function createServer(app: http.RequestListener): http.Server {
  const server = http.createServer(app);
  // Held ring responses last up to 12 s; keep Node's own timeouts above that.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 65_000;
  return server;
}

/** The embedded database (no MONGODB_URI); undefined when a shutdown cut its start short. */
async function startEmbedded(config: Config, logger: Logger, signal: AbortSignal, stopping: () => boolean): Promise<EmbeddedDb | undefined> {
  try {
    const embedded = await startEmbeddedDb({ dataDir: config.dataDir, log: (m) => logger.info(m), signal });
    logger.info({ dataDir: config.dataDir, pid: embedded.pid, uri: embedded.uri }, 'embedded database (FerretDB) started');
    return embedded;
  } catch (err) {
    if (err instanceof EmbeddedDbError) {
      if (stopping()) return undefined;
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);

  let embedded: EmbeddedDb | undefined;
  let db: mongoose.Connection | undefined;
  let server: http.Server | undefined;
  let background: { stop(): Promise<void> } | undefined;
  let stopping = false;
  const startup = new AbortController();

  async function shutdown(reason: string, exitCode: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    startup.abort();
    const force = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; closing them');
      server?.closeAllConnections();
    }, config.shutdownGraceMs);
    force.unref();
    if (server) {
      // Stop accepting; in-flight webhooks (a held ring lasts up to 12 s) finish within the grace time.
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        server!.closeIdleConnections();
      });
    }
    clearTimeout(force);
    await background?.stop().catch((err) => logger.warn({ err }, 'stopping the job runner failed'));
    await db?.close().catch((err) => logger.warn({ err }, 'closing the database connection failed'));
    await embedded?.stop();
    logger.info('stopped');
    process.exit(exitCode);
  }

  onStopSignals(logger, shutdown);

  // The embedded database, the data key and the local credentials live here: private to this user.
  secureDataDir(config.dataDir);
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbedded(config, logger, startup.signal, () => stopping);
    if (!embedded) return; // stopped while it started: shutdown() exits
    uri = embedded.uri;
  }
  db = await connectDatabase(uri);

  await firstStartData(config, db);
  const deps = buildDeps(config, db, logger);
  const app = createApp(deps);
  server = createServer(app);
  await new Promise<void>((resolve) => server!.listen(config.port, config.host, resolve));
  background = startBackgroundWork(deps);
  const port = (server.address() as { port: number }).port;
  logger.info({ host: config.host, port, publicBaseUrl: config.publicBaseUrl }, 'listening');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
