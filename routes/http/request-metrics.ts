import type { RequestHandler, Response } from 'express';
import type { ServiceMetrics } from '../../src/metrics/metrics';
import { routeLabel } from '../../src/metrics/labels';

/** Where a route notes a deliberate hold (the incoming call's ring), which is not the service's latency. */
const HELD_MS = 'metricsHeldMs';

export function noteHeld(res: Response, ms: number): void {
  res.locals[HELD_MS] = ms;
}

/**
 * Times every request into the latency histogram, labelled with the Express route pattern that answered
 * it (req.baseUrl + req.route.path, as they stand when the answer is sent), never the raw URL. Real
 * monotonic time: latency is the machine's, not the service's injected clock. In memory only.
 */
export function requestMetrics(metrics: Pick<ServiceMetrics, 'observeRequest'>): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const held = res.locals[HELD_MS];
      const seconds = Number(process.hrtime.bigint() - started) / 1e9 - (typeof held === 'number' ? held / 1000 : 0);
      metrics.observeRequest(req.method, routeLabel(req.baseUrl, (req.route as { path?: unknown } | undefined)?.path), res.statusCode, Math.max(0, seconds));
    });
    next();
  };
}
