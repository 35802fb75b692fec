import type { Connection } from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors';
import type { Logger } from '../logger';

/** Failed authentications one client IP may make per window before it is refused. */
export const AUTH_FAILURES_PER_WINDOW = 20;
export const AUTH_FAILURE_WINDOW_S = 60;
export const AUTH_FAILURES_COLLECTION = 'auth_failures';

export class TooManyFailures extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('too_many_requests', `too many failed authentications from this address; retry after ${retryAfterSeconds} s`, 'too_many_failed_authentications');
  }
}

/**
 * Throttles guessing API keys. Failures are counted per client IP with rate-limiter-flexible's MongoDB
 * store, so every instance on the database shares the counters (a per-process map would give each
 * instance its own 20). A window is fixed: it starts at the IP's first failure and lasts a minute; past
 * 20 failures every request from the IP, valid key or not, gets 429 until it ends.
 *
 * On the embedded FerretDB: the store's TTL index is not supported (FerretDB v1 has none), so expired
 * counters are deleted by the sweeper (`clearExpiredAuthFailures`); its lookups are by `key`, not `_id`,
 * so they decode the collection, which holds one small document per failing IP per minute.
 */
export class AuthThrottle {
  private limiter: RateLimiterMongo | undefined;
  private indexes: Promise<unknown> | undefined;

  constructor(
    private readonly db: Connection,
    private readonly logger: Logger,
  ) {}

  private store(): RateLimiterMongo {
    // Built on first use: the native handle exists only once the connection is open.
    if (!this.limiter) {
      const native = this.db.db!;
      this.indexes = native
        .collection(AUTH_FAILURES_COLLECTION)
        .createIndex({ key: 1 }, { unique: true })
        .catch(() => {});
      this.limiter = new RateLimiterMongo({
        storeClient: native,
        tableName: AUTH_FAILURES_COLLECTION,
        keyPrefix: 'auth',
        points: AUTH_FAILURES_PER_WINDOW,
        duration: AUTH_FAILURE_WINDOW_S,
        disableIndexesCreation: true,
      });
    }
    return this.limiter;
  }

  /** Throws TooManyFailures while the IP is over its limit. */
  async check(ip: string): Promise<void> {
    const res = await this.store().get(ip);
    if (res && res.consumedPoints > AUTH_FAILURES_PER_WINDOW) throw new TooManyFailures(retryAfter(res));
  }

  /** Counts a failure; throws TooManyFailures when it is one too many (logged once per window). */
  async failed(ip: string): Promise<void> {
    await this.indexes;
    try {
      await this.store().consume(ip);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      if (err.consumedPoints === AUTH_FAILURES_PER_WINDOW + 1) {
        this.logger.warn({ ip, failures: err.consumedPoints, retryAfterSeconds: retryAfter(err) }, 'authentication failures throttled');
      }
      throw new TooManyFailures(retryAfter(err));
    }
  }
}

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** The sweeper's part: counters whose window is over (MongoDB's TTL index would do it; FerretDB has none). */
export async function clearExpiredAuthFailures(db: Connection, now: Date): Promise<number> {
  const r = await db.db!.collection(AUTH_FAILURES_COLLECTION).deleteMany({ expire: { $lt: now } });
  return r.deletedCount;
}
