import { Router } from 'express';
import type { AppDeps } from '../src/deps';
import { AppError, unauthorized } from '../src/errors';
import { BEARER_KEY, hashApiKey, sameHash } from '../src/security/api-keys';
import { apiErrorHandler } from './http/error-handlers';

const BEARER = new RegExp(`^Bearer (${BEARER_KEY.source.slice(1, -1)})$`);

/**
 * Whether an Authorization header opens /metrics. Without METRICS_TOKEN there is no such route. The
 * token is compared as SHA-256 digests with timingSafeEqual: equal lengths, so neither the length nor
 * the first differing character shows in the time taken.
 */
export function metricsAccess(token: string | undefined, authorization: string | undefined): 'open' | 'denied' | 'disabled' {
  if (!token) return 'disabled';
  const m = BEARER.exec(authorization ?? '');
  return m && sameHash(hashApiKey(m[1]!), hashApiKey(token)) ? 'open' : 'denied';
}

/** `GET /metrics`: this instance's metrics in the Prometheus text format, for `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsRoutes(deps: Pick<AppDeps, 'config' | 'metrics'>): Router {
  const router = Router();
  router.get('/metrics', async (req, res, next) => {
    try {
      const access = metricsAccess(deps.config.metricsToken, req.header('authorization'));
      // The same answer as any path that does not exist: an unset token gives nothing away.
      if (access === 'disabled') throw new AppError('not_found', `no route for ${req.method} ${req.path}`, 'route_not_found');
      if (access === 'denied') {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        throw unauthorized('send "Authorization: Bearer <METRICS_TOKEN>"');
      }
      const { contentType, text } = await deps.metrics.exposition();
      res.setHeader('Cache-Control', 'no-store');
      res.type(contentType).send(text);
    } catch (err) {
      // Answered here, not by a handler mounted on the path: the route pattern stays `/metrics` for the latency label.
      apiErrorHandler(err, req, res, next);
    }
  });
  return router;
}
