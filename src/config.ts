import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { BEARER_KEY } from './security/api-keys';

/**
 * Typed configuration, validated once at boot. A bad or missing value stops the service with one
 * message naming every offending variable, so an operator fixes them all in one go.
 * There are no default secrets: without Twilio credentials the service runs in local mode against its
 * own simulator, and signatures are still checked (with the simulator's token).
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL without query or fragment');

/** An IPv4/IPv6 address or a host name (labels of letters, digits and hyphens; not all-numeric). */
const HOST_NAME = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const listenHost = z
  .string()
  .trim()
  .refine((v) => isIP(v) !== 0 || HOST_NAME.test(v), 'must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::) or a host name, without port');

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: listenHost.optional(),
    PUBLIC_BASE_URL: httpUrl.optional(),
    MONGODB_URI: z
      .string()
      .trim()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
    DATA_DIR: z.string().trim().min(1).default('./data'),
    TWILIO_ACCOUNT_SID: z
      .string()
      .trim()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits')
      .optional(),
    TWILIO_AUTH_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
    TWILIO_API_BASE_URL: httpUrl.optional(),
    ADMIN_API_KEY: z
      .string()
      .trim()
      .min(24, 'must be at least 24 characters')
      // A key the bearer parser cannot read would silently never work.
      .regex(BEARER_KEY, 'may hold only the characters A-Z a-z 0-9 _ - . ~ + / = (at most 200), as "Authorization: Bearer <key>" accepts')
      .optional(),
    DATA_ENCRYPTION_KEY: z
      .string()
      .trim()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 random bytes in base64 (openssl rand -base64 32)')
      .optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    WEBHOOK_SIGNATURE_CHECK: z.enum(['on', 'off']).default('on'),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(15_000),
    JOB_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(50),
    SIMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(3999),
    METRICS_TOKEN: z
      .string()
      .trim()
      .min(24, 'must be at least 24 characters (openssl rand -hex 24)')
      .regex(BEARER_KEY, 'may hold only the characters A-Z a-z 0-9 _ - . ~ + / = (at most 200), as "Authorization: Bearer <token>" accepts')
      .optional(),
    EVENTS_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false']).default('false'),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.TWILIO_ACCOUNT_SID) !== Boolean(env.TWILIO_AUTH_TOKEN)) {
      const missing = env.TWILIO_ACCOUNT_SID ? 'TWILIO_AUTH_TOKEN' : 'TWILIO_ACCOUNT_SID';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'must be set together with the other Twilio credential' });
    }
    if (env.WEBHOOK_SIGNATURE_CHECK === 'off' && env.TWILIO_AUTH_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SIGNATURE_CHECK'],
        message: 'may be "off" only in local simulator mode (no Twilio credentials); a real account always checks signatures',
      });
    }
  });

export type TwilioMode = 'twilio' | 'local';

export interface Config {
  port: number;
  /** The interface the HTTP server listens on: 0.0.0.0 with Twilio credentials, 127.0.0.1 in local mode. */
  host: string;
  publicBaseUrl: string;
  mongodbUri: string | undefined;
  dataDir: string;
  twilio: {
    mode: TwilioMode;
    /** Undefined in local mode until boot fills in the simulator's credentials. */
    accountSid: string | undefined;
    authToken: string | undefined;
    apiBaseUrl: string | undefined;
  };
  adminApiKey: string | undefined;
  /** Undefined until boot reads or creates DATA_DIR/data-encryption.key. */
  dataEncryptionKey: Buffer | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  webhookSignatureCheck: boolean;
  shutdownGraceMs: number;
  /** Callbacks one instance places at once; all instances together should stay under Twilio's REST concurrency. */
  jobConcurrency: number;
  /** Local mode: the loopback port of the phone simulator (`npm run phone`), Twilio's stand-in. */
  simulatorPort: number;
  /** The bearer token GET /metrics asks for; unset: /metrics does not exist (404). */
  metricsToken: string | undefined;
  /**
   * Event webhooks may go to private, loopback and other non-public addresses, and over http: (tests,
   * closed networks). Off by default: a client must not reach the operator's own network through us.
   */
  eventsAllowPrivateNetworks: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}. See .env.example for every variable.`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming every bad variable. Empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') cleaned[k] = v;

  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const seen = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? 'environment');
      if (!seen.has(variable)) seen.set(variable, issue.message);
    }
    throw new ConfigError([...seen].map(([variable, message]) => ({ variable, message })));
  }
  const e = parsed.data;
  const port = e.PORT;
  const mode: TwilioMode = e.TWILIO_ACCOUNT_SID ? 'twilio' : 'local';
  return {
    port,
    // Twilio must reach a real account's service; the local simulator is on loopback, so nothing else need.
    host: e.HOST ?? (mode === 'twilio' ? '0.0.0.0' : '127.0.0.1'),
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    mongodbUri: e.MONGODB_URI,
    dataDir: path.resolve(e.DATA_DIR),
    twilio: {
      mode,
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN,
      apiBaseUrl: e.TWILIO_API_BASE_URL?.replace(/\/+$/, ''),
    },
    adminApiKey: e.ADMIN_API_KEY,
    dataEncryptionKey: e.DATA_ENCRYPTION_KEY ? Buffer.from(e.DATA_ENCRYPTION_KEY, 'base64') : undefined,
    logLevel: e.LOG_LEVEL,
    webhookSignatureCheck: e.WEBHOOK_SIGNATURE_CHECK === 'on',
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    jobConcurrency: e.JOB_CONCURRENCY,
    simulatorPort: e.SIMULATOR_PORT,
    metricsToken: e.METRICS_TOKEN,
    eventsAllowPrivateNetworks: e.EVENTS_ALLOW_PRIVATE_NETWORKS === 'true',
  };
}
