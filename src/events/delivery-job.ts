import type { AppDeps } from '../deps';
import { earlierLiveJob, findDelivery, parseDeliveryJobKey, updateDelivery, type WebhookDeliveryDoc } from '../domain/events/delivery-store';
import { CONFIRM_WINDOW_MS, eventFacts } from '../domain/events/event-facts';
import { currentWebhook } from '../domain/events/webhook-settings';
import type { JobDoc } from '../domain/jobs/job-queue';
import type { JobHandler, JobOutcome } from '../jobs/job-runner';
import { guardedPost, type PostResult } from './guarded-post';
import { SIGNATURE_HEADER, signatureHeader } from './signature';

/** A receiver gets this long for the whole exchange. */
export const DELIVERY_TIMEOUT_MS = 5_000;
/** A delivery is retried for this long after its event, then given up. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;
/** How often a later event of a call looks again whether the earlier one is out, and a waiting event whether its state is stored. */
const WAIT_MS = 2_000;
const FACTS_WAIT_MS = 15_000;
/** A job whose delivery is missing looks again this often (each FACTS_WAIT_MS apart): the confirmation window. */
const MISSING_DELIVERY_TRIES = Math.ceil(CONFIRM_WINDOW_MS / FACTS_WAIT_MS);

/** 10 s, 20 s, 40 s ... at most an hour: about thirty attempts within the 24 hours. */
export function deliveryBackoffMs(attempts: number): number {
  return Math.min(3_600_000, 10_000 * 2 ** Math.min(Math.max(0, attempts - 1), 20));
}

/**
 * The `deliver-event` job: one POST of one event to one subscriber, signed with the subscriber's secret.
 * Delivered in order per call: while an earlier event of the same call to the same subscriber is still
 * live (not delivered, not given up), this one waits. At least once: the delivery is marked delivered
 * only after a 2xx, so a crash in between sends it again, with the same id and body.
 */
export function deliverEventHandler(deps: AppDeps): JobHandler {
  return async (job: JobDoc): Promise<JobOutcome> => {
    const key = parseDeliveryJobKey(job.key);
    const d = key ? await findDelivery(deps.db, key.id) : null;
    const now = deps.clock.now();
    // Its delivery and this job are written together: a delivery not there yet is waited for a while
    // (its write failed and the webhook's retry writes it again), then the job is dropped.
    if (!d && key && job.tries < MISSING_DELIVERY_TRIES) {
      return { retryAt: new Date(now.getTime() + FACTS_WAIT_MS), error: 'no delivery stored yet', countsAsTry: true };
    }
    if (d?.state !== 'pending') return { state: 'done' };
    const earlier = await earlierLiveJob(deps.db, job, d);
    if (earlier) {
      const at = Math.max(now.getTime() + WAIT_MS, earlier.dueAt.getTime());
      return { retryAt: new Date(at), error: 'waiting for an earlier event of this call', countsAsTry: false };
    }
    const body = d.body ?? (await firstBody(deps, d, now));
    if (typeof body !== 'string') return body;
    const hook = await currentWebhook(deps.db, deps.secretBox, d);
    if (!hook?.events.includes(d.type)) {
      await updateDelivery(deps.db, d._id, { state: 'cancelled', lastError: 'the subscriber no longer asks for this event', nextAttemptAt: null });
      return { state: 'cancelled', error: 'unsubscribed' };
    }
    const result = await guardedPost(hook.url, body, {
      allowPrivate: deps.config.eventsAllowPrivateNetworks,
      timeoutMs: DELIVERY_TIMEOUT_MS,
      headers: { [SIGNATURE_HEADER]: signatureHeader(hook.secret, body, deps.clock.now()), 'User-Agent': 'callback-service-events/1' },
    });
    return recordAttempt(deps, d, hook.url, result);
  };
}

/** Checks the event against the stored state and fixes its body; or tells the job to wait, or drops it. */
async function firstBody(deps: AppDeps, d: WebhookDeliveryDoc, now: Date): Promise<string | JobOutcome> {
  const facts = await eventFacts(deps.db, d, now);
  if ('wait' in facts) return { retryAt: new Date(now.getTime() + FACTS_WAIT_MS), error: facts.wait, countsAsTry: false };
  if ('drop' in facts) {
    await updateDelivery(deps.db, d._id, { state: 'cancelled', lastError: facts.drop, nextAttemptAt: null });
    return { state: 'cancelled', error: facts.drop };
  }
  const body = JSON.stringify({ id: d.eventId, type: d.type, createdAt: d.eventAt.toISOString(), data: facts.send });
  await updateDelivery(deps.db, d._id, { body, data: facts.send });
  return body;
}

async function recordAttempt(deps: AppDeps, d: WebhookDeliveryDoc, url: string, r: PostResult): Promise<JobOutcome> {
  const now = deps.clock.now();
  const common = { lastAttemptAt: now, lastStatusCode: r.status, url };
  // Refused by the SSRF guard (the address, not the receiver, failed): counted apart, an operator alert.
  const blocked = !r.ok && r.error.startsWith('refused:');
  if (r.ok) {
    deps.metrics.eventDelivery('delivered');
    await updateDelivery(deps.db, d._id, { ...common, state: 'delivered', deliveredAt: now, lastError: null, nextAttemptAt: null }, true);
    return { state: 'done' };
  }
  const next = new Date(now.getTime() + deliveryBackoffMs(d.attempts + 1));
  if (next.getTime() - d.eventAt.getTime() > GIVE_UP_AFTER_MS) {
    await updateDelivery(deps.db, d._id, { ...common, state: 'failed', lastError: r.error, nextAttemptAt: null }, true);
    deps.metrics.eventDelivery(blocked ? 'blocked' : 'gave-up');
    deps.logger.warn({ deliveryId: String(d._id), type: d.type, error: r.error }, 'event delivery given up after 24 h');
    return { state: 'failed', error: r.error };
  }
  await updateDelivery(deps.db, d._id, { ...common, lastError: r.error, nextAttemptAt: next }, true);
  deps.metrics.eventDelivery(blocked ? 'blocked' : 'retrying');
  return { retryAt: next, error: r.error, countsAsTry: true };
}
