import type { RequestHandler } from 'express';
import type { RouteSpec } from '../../src/api/route-spec';
import { apiKeyRoutes } from './api-keys';
import { clientRoutes } from './clients';
import { rateTableRoutes } from './rate-tables';
import { docsRoutes } from './docs';

/**
 * The route table of the configuration API. Everything under /api is listed here, which is what
 * the OpenAPI document and the generated tenant-isolation tests iterate over.
 */
export const resourceRoutes: RouteSpec[] = [...clientRoutes, ...apiKeyRoutes, ...rateTableRoutes];

/** Route-specific middleware (multipart parsing) keyed by "method path". */
export const routeMiddleware: Record<string, RequestHandler[]> = {};

export function apiRouteTable(serverUrl: string): RouteSpec[] {
  return [...resourceRoutes, ...docsRoutes(() => resourceRoutes, serverUrl)];
}
