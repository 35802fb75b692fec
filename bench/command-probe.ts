import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import pino from 'pino';
import { createApp } from '../routes/app';
import type { AppConfig } from '../src/deps';
import { systemClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { startEmbeddedDb } from '../src/db/embedded-ferretdb';
import { SecretBox } from '../src/security/secret-box';
import { createTwilioClient } from '../src/twilio/rest-client';
import { createMetrics } from '../src/metrics/metrics';
import { closedLoop, incomingRequest, seedCallbackNumber, serviceEnv, tallyCommands, type CommandTally, type RunOptions } from './lib';

/**
 * Which database commands one incoming-call webhook costs, and how long each takes as the call
 * sessions grow: `node --import tsx bench/command-probe.ts [calls]`. Drives the webhook one call at a
 * time (no queueing) on a fresh embedded database, with the driver's command monitoring on, and prints
 * the mean duration per command and collection for each band of 100 calls.
 */
async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 400);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'callback-probe-db-'));
  const embedded = await startEmbeddedDb({ dataDir: tmp });
  const env = serviceEnv({ dbUri: embedded.uri, dbName: () => 'probe' } as unknown as RunOptions, 'probe', { LOG_LEVEL: 'silent' });
  const base = loadConfig(env);
  const config: AppConfig = { ...base, twilio: { ...base.twilio, accountSid: base.twilio.accountSid!, authToken: base.twilio.authToken! } };
  const db = mongoose.createConnection(embedded.uri, { dbName: 'probe', monitorCommands: true, autoIndex: true });
  await db.asPromise();
  let band: CommandTally = new Map();
  tallyCommands(
    db,
    () => band,
    (c, name) => {
      const target = c[name];
      const q = (c as { filter?: object; updates?: { q: object }[] }).filter ?? (c as { updates?: { q: object }[] }).updates?.[0]?.q ?? {};
      const filterKeys = Object.keys(q);
      return `${name} ${typeof target === 'string' ? target : ''}${filterKeys.length ? ` {${filterKeys.join(',')}}` : ''}`;
    },
  );
  const app = createApp({
    config,
    db,
    twilio: createTwilioClient({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl: 'http://127.0.0.1:9' }),
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: 'silent' }),
    secretBox: new SecretBox(Buffer.alloc(32, 7)),
    metrics: createMetrics(),
  });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await seedCallbackNumber(port, 0);
  for (let start = 0; start < calls; start += 100) {
    band = new Map();
    const r = await closedLoop(
      port,
      Array.from({ length: 100 }, (_, i) => incomingRequest(start + i)),
      1,
    );
    const perCall = [...band.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .filter(([, v]) => v.n >= 50)
      .map(([k, v]) => `${k} ${(v.ms / v.n).toFixed(1)} ms`);
    console.log(`sessions ${start}-${start + 100}: ${(r.elapsedMs / 100).toFixed(1)} ms per webhook:\n  ${perCall.join('\n  ')}`);
  }
  server.close();
  await db.close();
  await embedded.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
