import type mongoose from 'mongoose';
import type { Clock, RandomSource } from './clock';
import type { Config } from './config';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics/metrics';
import type { SecretBox } from './security/secret-box';
import type { TwilioClient } from './twilio/rest-client';

/**
 * What every part of the service is given: the settled configuration and the outside world (database,
 * Twilio, clock, randomness, log, secret box, metrics). A leaf: it imports types only, and nothing that imports
 * back, so the call flow, the domain and the HTTP edge can all name it without importing each other.
 * src/server.ts builds it (the composition root); tests build their own.
 */

/** Config once boot has settled the Twilio credentials (the real account's, or the simulator's). */
export type AppConfig = Config & { twilio: Config['twilio'] & { accountSid: string; authToken: string } };

export interface AppDeps {
  config: AppConfig;
  db: mongoose.Connection;
  twilio: TwilioClient;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  /** Encrypts secrets that must be sent on later (SIP trunk passwords). */
  secretBox: SecretBox;
  /** This instance's Prometheus metrics (GET /metrics); recorded by the call flow and the HTTP edge, never by the domain. */
  metrics: ServiceMetrics;
}
