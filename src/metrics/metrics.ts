import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { JobQueueGauges, type JobQueueCounts } from './job-queue-gauges';
import {
  commandLabel,
  currencyLabel,
  httpStatusLabel,
  methodLabel,
  reasonLabel,
  retryAfterLabel,
  sessionStatusLabel,
  statusClassLabel,
  twilioErrorCodeLabel,
  wordLabel,
} from './labels';

/**
 * The service's Prometheus metrics, one registry per app instance (never prom-client's global default
 * registry: tests build several apps in one process, and each must count only its own work). Every
 * metric object is made once here; recording is an in-memory increment or observe, no I/O. The one
 * exception is the job queue's depth, read from the database when Prometheus scrapes.
 * Label values go through ./labels.ts: bounded sets, never a number, a CallSid or an id.
 */

export interface MetricsOptions {
  /** prom-client's process metrics (CPU, memory, event loop, GC): on for the service, off for most tests. */
  processMetrics?: boolean;
  /** Reads the job queue's depth at scrape time (bounded: a count per state and type). */
  jobQueue?: () => Promise<JobQueueCounts>;
  /** Real-time bound on that read: a hung database must not hang the scrape. */
  jobQueueTimeoutMs?: number;
}

/** What an event delivery came to (src/events, built in parallel): one per delivery attempt. */
export type EventDeliveryResult = 'delivered' | 'retrying' | 'gave-up' | 'blocked';

const PREFIX = 'callback_';
/** Twilio gives a webhook 15 s; the upper buckets show how close a slow answer came. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
/** Due to started: normally within a poll interval (0.5 s), minutes when the runners are behind. */
const LAG_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];
/** One command on the embedded database takes about a millisecond; on a remote MongoDB a few. */
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const counter = <L extends string>(registry: Registry, name: string, help: string, labelNames: L[] = []) =>
  new Counter<L>({ name: `${PREFIX}${name}`, help, labelNames, registers: [registry] });
const histogram = <L extends string>(registry: Registry, name: string, help: string, labelNames: L[], buckets: number[]) =>
  new Histogram<L>({ name: `${PREFIX}${name}`, help, labelNames, buckets, registers: [registry] });

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests = histogram(
    this.registry,
    'http_request_duration_seconds',
    'Time to answer an HTTP request (voice webhooks and the API), by Express route pattern; the deliberate ring hold of /voice/incoming is not counted.',
    ['method', 'route', 'status'],
    REQUEST_BUCKETS,
  );
  private readonly sessions = counter(
    this.registry,
    'sessions_ended_total',
    'Sessions that reached a final status (refused, cancelled, completed, failed), by that status and the reason code the session stores.',
    ['status', 'reason'],
  );
  private readonly placed = counter(this.registry, 'callbacks_placed_total', 'Callback calls Twilio accepted (calls.create answered with a CallSid), retries included.');
  private readonly answered = counter(
    this.registry,
    'callbacks_answered_total',
    'Callbacks answered: by a person (the conversation starts), or by a machine (hung up, retried while attempts remain).',
    ['by'],
  );
  private readonly retried = counter(this.registry, 'callbacks_retried_total', 'Callback attempts queued again after busy, no answer, failed or a machine.', ['after']);
  private readonly jobLag = histogram(this.registry, 'job_lag_seconds', 'Durable jobs: from the time a job was due to the time a runner started it.', ['type'], LAG_BUCKETS);
  private readonly twilioErrors = counter(
    this.registry,
    'twilio_rest_errors_total',
    "Twilio REST requests that failed: Twilio's error code and HTTP status, or the network error's code (status none) when no answer came.",
    ['code', 'status'],
  );
  private readonly charges = counter(
    this.registry,
    'charged_ten_thousandths_total',
    'Money charged to clients for calls, in ten-thousandths of the currency (divide by 10000 for currency units), by currency and leg (callback or dial).',
    ['currency', 'leg'],
  );
  private readonly deliveries = counter(this.registry, 'event_deliveries_total', "Deliveries of events to clients' webhooks, by result (delivered, retrying, gave-up, blocked).", [
    'result',
  ]);
  private readonly dbCommands = histogram(
    this.registry,
    'db_command_duration_seconds',
    'Database commands as the MongoDB driver saw them (queueing in the embedded database proxy included), by command name and outcome.',
    ['command', 'outcome'],
    DB_BUCKETS,
  );
  private readonly collectErrors = counter(
    this.registry,
    'metrics_collect_errors_total',
    'Scrape-time collections that failed or timed out (their gauges keep the last values read).',
    ['collector'],
  );
  private readonly jobQueue: JobQueueGauges | undefined;

  constructor(opts: MetricsOptions = {}) {
    if (opts.jobQueue) this.jobQueue = new JobQueueGauges(this.registry, PREFIX, opts.jobQueue, opts.jobQueueTimeoutMs ?? 2_000);
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** One answered request: its Express route pattern (routes/http/request-metrics.ts), never the raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe({ method: methodLabel(method), route, status: statusClassLabel(status) }, seconds);
  }

  /** `count` sessions reached a final status; call it only from the write that made the transition (counted once). */
  sessionEnded(status: string, reason: string | null | undefined, count = 1): void {
    this.sessions.inc({ status: sessionStatusLabel(status), reason: reasonLabel(reason) }, count);
  }

  callbackPlaced(): void {
    this.placed.inc();
  }

  callbackAnswered(by: 'person' | 'machine'): void {
    this.answered.inc({ by });
  }

  /** `after`: the final status of the attempt that is retried, or `machine`. */
  callbackRetried(after: string): void {
    this.retried.inc({ after: retryAfterLabel(after) });
  }

  jobStarted(type: string, lagSeconds: number): void {
    this.jobLag.observe({ type: wordLabel(type) }, Math.max(0, lagSeconds));
  }

  twilioError(code: unknown, status: unknown): void {
    this.twilioErrors.inc({ code: twilioErrorCodeLabel(code), status: httpStatusLabel(status) });
  }

  /** A charge booked for the first time (integer ten-thousandths; 0 for a free call, which still counts the series). */
  charged(leg: 'callback' | 'dial', currency: string, amount: number): void {
    this.charges.inc({ currency: currencyLabel(currency), leg }, Math.max(0, amount));
  }

  eventDelivery(result: EventDeliveryResult): void {
    this.deliveries.inc({ result: wordLabel(result) });
  }

  dbCommand(name: string, seconds: number, ok: boolean): void {
    this.dbCommands.observe({ command: commandLabel(name), outcome: ok ? 'ok' : 'error' }, Math.max(0, seconds));
  }

  /** The Prometheus text exposition of this instance's metrics. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    if (this.jobQueue && !(await this.jobQueue.refresh())) this.collectErrors.inc({ collector: 'job_queue' });
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

export type { JobQueueCounts };

export const createMetrics = (opts: MetricsOptions = {}): ServiceMetrics => new ServiceMetrics(opts);
