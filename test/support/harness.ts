import type { Express } from 'express';
import type { Connection } from 'mongoose';
import pino from 'pino';
import supertest from 'supertest';
import twilio from 'twilio';
import { createApp } from '../../routes/app';
import type { AppConfig, AppDeps } from '../../src/deps';
import type { Clock, RandomSource } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { SecretBox } from '../../src/security/secret-box';
import { createTwilioClient } from '../../src/twilio/rest-client';
import { countLiveJobs } from '../../src/domain/jobs/job-counts';
import { createMetrics } from '../../src/metrics/metrics';
import { testDb } from './database';
import { ManualClock } from './manual-clock';

export const TEST_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TEST_AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const TEST_PUBLIC_BASE_URL = 'https://callback.example.test';
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdefghij';

export interface TestApp {
  app: Express;
  deps: AppDeps;
  clock: ManualClock;
  /** POSTs form params to a voice webhook, signed the way Twilio signs them for PUBLIC_BASE_URL. */
  signedPost(path: string, params: Record<string, string>): supertest.Test;
}

export function twilioSignatureFor(path: string, params: Record<string, string>, base = TEST_PUBLIC_BASE_URL): string {
  return twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, base + path, params);
}

/** A real app on the test database, with a manual clock, a seeded random source and a silent log. */
export function createTestApp(
  opts: { env?: Record<string, string>; twilioApiBaseUrl?: string; random?: RandomSource; logger?: pino.Logger; clock?: Clock; db?: Connection } = {},
): TestApp {
  const base = loadConfig({
    PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    LOG_LEVEL: 'silent',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    ...opts.env,
  });
  const config: AppConfig = {
    ...base,
    twilio: { ...base.twilio, accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, apiBaseUrl: opts.twilioApiBaseUrl },
  };
  const clock = new ManualClock();
  const db = opts.db ?? testDb();
  const appClock = opts.clock ?? clock;
  // Each app its own registry, as in production; no process metrics (their timers would pile up over the suite).
  const metrics = createMetrics({ jobQueue: () => countLiveJobs(db, appClock.now()) });
  const deps: AppDeps = {
    config,
    db,
    twilio: createTwilioClient({
      accountSid: TEST_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      apiBaseUrl: opts.twilioApiBaseUrl ?? 'http://127.0.0.1:9',
      onError: (e) => metrics.twilioError(e.code, e.status),
    }),
    clock: appClock,
    random: opts.random ?? (() => 0.5),
    logger: opts.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    secretBox: new SecretBox(Buffer.alloc(32, 7)),
    metrics,
  };
  const app = createApp(deps);
  return {
    app,
    deps,
    clock,
    signedPost: (path, params) => supertest(app).post(path).set('X-Twilio-Signature', twilioSignatureFor(path, params)).type('form').send(params),
  };
}
