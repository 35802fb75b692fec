import type { Connection, Types } from 'mongoose';
import { cheapestIncrementCost } from '../billing/rating';
import { GroupBatcher } from '../db/group-batcher';
import { availableCreditOf, findCallersByNumbers } from '../domain/authorized-callers';
import { activeLockouts, type LockoutDoc } from '../domain/call-sessions/lockouts';
import { findCounters, type TargetCounterDoc } from '../domain/call-sessions/target-counters';
import { balancesOf, findClient } from '../domain/clients';
import { readConfigToken } from '../domain/config-version';
import { noteConfigToken } from '../domain/events/subscribers';
import { findExtension, type ExtensionDoc } from '../domain/extensions';
import { loadFraudSettings, type FraudSettings } from '../domain/fraud-settings';
import { findNumberByE164 } from '../domain/numbers';
import { findRateTable, type RateDoc } from '../domain/rate-tables';

/** What an incoming call to one of our numbers needs to know, all of it configuration. */
export interface NumberRoute {
  extension: ExtensionDoc;
  client: { _id: Types.ObjectId; unlimitedCredit: boolean; maxConcurrentCalls: number | null; allowPrefixes: string[]; denyPrefixes: string[] };
  cheapestIncrement: number | null;
  /** The rates that price a dial (the client's rate table). */
  dialRates: RateDoc[];
  /** The rates that price the callback leg (the client's callbackRateTableId, else its rate table). */
  callbackRates: RateDoc[];
}

/** An authorized caller ID's settings; its credit is money and is read fresh (`freshAvailable`). */
export interface CachedCaller {
  _id: Types.ObjectId;
  enabled: boolean;
  unlimited: boolean;
}

/** Entries beyond this are dropped all at once: a bound, not an LRU; a refill costs one lookup each. */
const MAX_ENTRIES = 20_000;
/** Real time after which an unanswered load is bypassed (a lookup normally answers in milliseconds). */
const LOAD_GIVE_UP_MS = 5_000;

interface Entry<T> {
  value: Promise<T>;
  startedAt: number;
  settled: boolean;
}

/**
 * The configuration every incoming-call webhook reads (number -> extension, client and rate table;
 * authorized caller IDs; lockouts), cached per instance and dropped whenever the config version token
 * changes (models/config-version.ts). Each webhook first waits for a version check that started after it
 * arrived, so a call placed after a configuration write was answered never sees the old configuration,
 * on any instance. Money (balances, caller credit) is never cached.
 *
 * Without a version document (a database written by hand or by tests' fixtures) nothing is cached.
 */
export class ConfigCache {
  private token: string | null = null;
  private routes = new Map<string, Entry<NumberRoute | null>>();
  private callers = new Map<string, Entry<CachedCaller | null>>();
  private lockoutLists = new Map<string, Entry<LockoutDoc[]>>();
  private readonly versionChecks: GroupBatcher<null, string | null>;
  private readonly balances: GroupBatcher<string, number | null>;
  private readonly availables: GroupBatcher<string, number>;
  private readonly callerLookups: GroupBatcher<{ extensionId: Types.ObjectId; number: string }, CachedCaller | null>;
  private extensions = new Map<string, Entry<ExtensionDoc | null>>();
  private fraudSettings = new Map<string, Entry<FraudSettings>>();
  private readonly counters: GroupBatcher<string, TargetCounterDoc | null>;

  private constructor(private readonly db: Connection) {
    this.versionChecks = new GroupBatcher(async (items) => {
      const token = await readConfigToken(db);
      return items.map(() => token);
    });
    // Clients are few (tenants), so one query for all the balances a batch needs is cheap everywhere.
    this.balances = new GroupBatcher(async (ids) => {
      const docs = await balancesOf(db, ids);
      const byId = new Map(docs.map((d) => [String(d._id), d.balance]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    // By _id: an indexed lookup on MongoDB and (patched) on the embedded database.
    this.availables = new GroupBatcher(async (ids) => {
      const docs = await availableCreditOf(db, ids);
      const byId = new Map(docs.map((d) => [String(d._id), d.available]));
      return ids.map((id) => byId.get(id) ?? 0);
    });
    // Per-target counters are keyed by _id: one indexed $in for every call in the batch.
    this.counters = new GroupBatcher(async (ids) => {
      const docs = await findCounters(db, ids);
      const byId = new Map<string, TargetCounterDoc>(docs.map((d) => [d._id, d]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    // Callers not seen yet are looked up together: one query per batch instead of one per call.
    this.callerLookups = new GroupBatcher(async (keys) => {
      const docs = await findCallersByNumbers(db, [...new Set(keys.map((k) => String(k.extensionId)))], [...new Set(keys.map((k) => k.number))]);
      const byKey = new Map(docs.map((c) => [`${c.extensionId}:${c.number}`, { _id: c._id, enabled: c.enabled, unlimited: c.unlimited }]));
      return keys.map((k) => byKey.get(`${k.extensionId}:${k.number}`) ?? null);
    });
  }

  private static readonly perConnection = new WeakMap<Connection, ConfigCache>();
  static for(db: Connection): ConfigCache {
    let cache = ConfigCache.perConnection.get(db);
    if (!cache) ConfigCache.perConnection.set(db, (cache = new ConfigCache(db)));
    return cache;
  }

  /** Brings the cache up to the configuration as of now; call once per webhook before the lookups. */
  async refresh(): Promise<void> {
    const token = await this.versionChecks.submit(null);
    // The event subscriptions are configuration too (src/domain/events/subscribers.ts).
    noteConfigToken(this.db, token);
    if (token === this.token && token !== null) return;
    this.token = token;
    this.routes.clear();
    this.callers.clear();
    this.lockoutLists.clear();
    this.extensions.clear();
    this.fraudSettings.clear();
  }

  /** The operator's toll-fraud settings (configuration: changing them changes the version token). */
  fraud(): Promise<FraudSettings> {
    return this.cached(this.fraudSettings, 'fraud', () => loadFraudSettings(this.db));
  }

  /** A per-target counter now (not cached: it counts events), read together with the other webhooks. */
  freshCounter(id: string): Promise<TargetCounterDoc | null> {
    return this.counters.submit(id);
  }

  route(number: string): Promise<NumberRoute | null> {
    return this.cached(this.routes, number, () => this.loadRoute(number));
  }

  authorizedCaller(extensionId: Types.ObjectId, e164: string): Promise<CachedCaller | null> {
    return this.cached(this.callers, `${extensionId}:${e164}`, () => this.callerLookups.submit({ extensionId, number: e164 }));
  }

  /** An extension by id (the callback job reads its retry settings). */
  extension(id: Types.ObjectId): Promise<ExtensionDoc | null> {
    return this.cached(this.extensions, String(id), () => findExtension(this.db, id));
  }

  /** Lockouts of an extension that had not ended when loaded; the caller checks `until` against its clock. */
  lockouts(extensionId: Types.ObjectId, now: Date): Promise<LockoutDoc[]> {
    return this.cached(this.lockoutLists, String(extensionId), () => activeLockouts(this.db, extensionId, now));
  }

  /** The client's balance now (not cached), read together with the other webhooks in flight. */
  freshBalance(clientId: Types.ObjectId): Promise<number | null> {
    return this.balances.submit(String(clientId));
  }

  /** A limited caller ID's credit now (not cached), read together with the other webhooks in flight. */
  freshAvailable(callerId: Types.ObjectId): Promise<number> {
    return this.availables.submit(String(callerId));
  }

  private cached<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<T>): Promise<T> {
    if (this.token === null) return load();
    const hit = map.get(key);
    // A load still unanswered after LOAD_GIVE_UP_MS (a database that hung) is not waited on by later calls.
    if (hit && (hit.settled || Date.now() - hit.startedAt < LOAD_GIVE_UP_MS)) return hit.value;
    if (map.size >= MAX_ENTRIES) map.clear();
    const entry: Entry<T> = { value: load(), startedAt: Date.now(), settled: false };
    map.set(key, entry);
    entry.value.then(
      () => (entry.settled = true),
      // A failed load is not remembered: the next webhook tries again.
      () => {
        if (map.get(key) === entry) map.delete(key);
      },
    );
    return entry.value;
  }

  private async loadRoute(number: string): Promise<NumberRoute | null> {
    const num = await findNumberByE164(this.db, number);
    if (!num?.extensionId || !num.clientId) return null;
    const [extension, client] = await Promise.all([findExtension(this.db, num.extensionId), findClient(this.db, num.clientId)]);
    if (!extension || !client || String(extension.clientId) !== String(client._id)) return null;
    const [rateTable, callbackTable] = await Promise.all([
      findRateTable(this.db, client.rateTableId),
      client.callbackRateTableId ? findRateTable(this.db, client.callbackRateTableId) : null,
    ]);
    return {
      extension,
      client: {
        _id: client._id,
        unlimitedCredit: client.unlimitedCredit,
        maxConcurrentCalls: client.maxConcurrentCalls,
        allowPrefixes: client.allowPrefixes ?? [],
        denyPrefixes: client.denyPrefixes ?? [],
      },
      cheapestIncrement: cheapestIncrementCost(rateTable?.rates ?? []),
      dialRates: rateTable?.rates ?? [],
      callbackRates: (client.callbackRateTableId ? callbackTable?.rates : rateTable?.rates) ?? [],
    };
  }
}
