import { Gauge, type Registry } from 'prom-client';
import { withTimeout } from '../timeout';
import { wordLabel } from './labels';

/** The live jobs by state and type, and the queued ones already due (what the runners have not picked up). */
export interface JobQueueCounts {
  byState: { state: string; type: string; count: number }[];
  due: { type: string; count: number }[];
}

/**
 * The job queue's depth, read from the database when Prometheus scrapes (a count per state and type,
 * whatever the queue's length), within a real-time bound: a hung database must not hang the scrape.
 */
export class JobQueueGauges {
  private readonly depth: Gauge<'state' | 'type'>;
  private readonly due: Gauge<'type'>;
  // A state or type that empties must read 0, not vanish: every series once seen is kept.
  private readonly seenDepth = new Map<string, { state: string; type: string }>();
  private readonly seenDue = new Set<string>();

  constructor(
    registry: Registry,
    prefix: string,
    private readonly read: () => Promise<JobQueueCounts>,
    private readonly timeoutMs: number,
  ) {
    const registers = [registry];
    this.depth = new Gauge({
      name: `${prefix}job_queue_depth`,
      help: 'Live durable jobs by state (queued, running) and type, read at scrape time.',
      labelNames: ['state', 'type'],
      registers,
    });
    this.due = new Gauge({
      name: `${prefix}job_queue_due`,
      help: 'Queued jobs whose due time has passed and that no runner has started yet, read at scrape time.',
      labelNames: ['type'],
      registers,
    });
  }

  /** Reads the counts into the gauges; false when the read failed or timed out (the gauges keep their last values). */
  async refresh(): Promise<boolean> {
    const counts = await withTimeout(this.read(), this.timeoutMs, () => null).catch(() => null);
    if (!counts) return false;
    for (const labels of this.seenDepth.values()) this.depth.set(labels, 0);
    for (const c of counts.byState) {
      const labels = { state: wordLabel(c.state), type: wordLabel(c.type) };
      this.seenDepth.set(`${labels.state} ${labels.type}`, labels);
      this.depth.set(labels, c.count);
    }
    for (const type of this.seenDue) this.due.set({ type }, 0);
    for (const c of counts.due) {
      const type = wordLabel(c.type);
      this.seenDue.add(type);
      this.due.set({ type }, c.count);
    }
    return true;
  }
}
