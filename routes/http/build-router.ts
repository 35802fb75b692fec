import express, { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../src/deps';
import { markConfigChanged } from '../../src/domain/config-version';
import { AppError } from '../../src/errors';
import { AuthThrottle, TooManyFailures } from '../../src/security/auth-throttle';
import { authenticate } from './authenticate';
import type { Principal, RouteSpec } from './route-spec';
import { parseOrThrow } from './validate';

const NO_QUERY = z.object({}).strict();

/**
 * Writes that change nothing the webhooks cache leave the caches alone: API keys, sounds, call records
 * and the client's credit. (A caller ID's credit can make it limited, which the cache holds: not neutral.)
 */
// Requested callbacks and secret rotations change no configuration a webhook reads (who subscribes is.)
const CACHE_NEUTRAL = /^\/(api-keys|calls|callbacks|sounds)(\/|$)|^\/clients\/:id\/(credit|api-keys|webhook\/secret)$|^\/settings\/webhook\/secret$/;

/**
 * Runs a handler; after a write to the configuration the webhooks cache (successful or not: a failure
 * may have written part of it) the config version changes before the answer, so every instance's
 * webhooks read the new configuration.
 */
async function runHandler(route: RouteSpec, ctx: Parameters<RouteSpec['handler']>[0]): ReturnType<RouteSpec['handler']> {
  if (route.method === 'get' || CACHE_NEUTRAL.test(route.path)) return route.handler(ctx);
  let out: Awaited<ReturnType<RouteSpec['handler']>>;
  try {
    out = await route.handler(ctx);
  } catch (err) {
    await markConfigChanged(ctx.deps.db).catch(() => {});
    throw err;
  }
  // The write is done: answering an error now would invite a retry of it. Caches then catch up with
  // the next configuration write (or a restart); say so loudly.
  await markConfigChanged(ctx.deps.db).catch((err: unknown) =>
    ctx.deps.logger.error(
      { err, route: `${route.method} ${route.path}` },
      'configuration saved but the config version could not be changed: other instances may serve the old one',
    ),
  );
  return out;
}

/**
 * The first step of every route: authenticate and enforce the route's access before any body is read
 * (the JSON parser and an upload's multipart parser come after it), so a request without a valid key
 * is answered at once and makes the service buffer nothing.
 */
function accessStep(route: RouteSpec, deps: AppDeps, throttle: AuthThrottle): RequestHandler {
  return async (req, res, next) => {
    try {
      const principal: Principal = route.public ? { role: 'admin' } : await throttledAuthenticate(req, deps, throttle);
      // A client key asking for an operator-only route learns nothing about what exists.
      if (route.access === 'admin' && principal.role !== 'admin') {
        throw new AppError('not_found', `no route for ${req.method} ${req.path}`, 'route_not_found');
      }
      res.locals.principal = principal;
      next();
    } catch (err) {
      if (err instanceof TooManyFailures) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      next(err);
    }
  };
}

/** An address over its limit of failed authentications is refused before its key is even looked at. */
async function throttledAuthenticate(req: Request, deps: AppDeps, throttle: AuthThrottle): Promise<Principal> {
  const ip = req.ip ?? 'unknown';
  await throttle.check(ip);
  try {
    return await authenticate(req, deps);
  } catch (err) {
    if (err instanceof AppError && err.kind === 'unauthorized') await throttle.failed(ip);
    throw err;
  }
}

/**
 * Mounts each route spec: authenticate and enforce access, parse the body, validate path/query/body
 * against the spec's schemas (unknown fields refused), call the handler, send JSON.
 */
export function buildApiRouter(routes: RouteSpec[], deps: AppDeps, extra: Record<string, RequestHandler[]> = {}, opts: { bodyLimit: string } = { bodyLimit: '100kb' }): Router {
  const router = Router();
  const json = express.json({ limit: opts.bodyLimit, strict: true });
  const throttle = new AuthThrottle(deps.db, deps.logger);
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const handler: RequestHandler = async (req, res, next) => {
      try {
        const principal = res.locals.principal as Principal;
        if (route.body && (route.bodyKind ?? 'json') === 'json' && req.method !== 'GET' && req.method !== 'DELETE' && !req.is('application/json')) {
          throw new AppError('unsupported_media_type', 'send the body as application/json', 'unsupported_media_type');
        }
        const params = route.params ? parseOrThrow(route.params, { ...req.params }, 'path') : {};
        // Routes without query parameters still refuse unknown ones, like unknown body fields.
        const query = parseOrThrow(route.query ?? NO_QUERY, { ...(req.query as object) }, 'query');
        const body = route.body ? parseOrThrow(route.body, req.body ?? {}, 'body') : undefined;
        const out = await runHandler(route, { principal, params, query, body, deps, req, res });
        if (out.raw) {
          res.status(out.status).type(out.raw.contentType).send(out.raw.text);
        } else if (out.body === undefined) {
          res.status(out.status).end();
        } else {
          res.status(out.status).json(out.body);
        }
      } catch (err) {
        next(err);
      }
    };
    router[route.method](route.path, accessStep(route, deps, throttle), json, ...(extra[key] ?? []), handler);
  }
  return router;
}
