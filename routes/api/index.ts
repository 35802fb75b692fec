import type { RequestHandler } from 'express';
import type { RouteSpec } from '../http/route-spec';
import { apiKeyRoutes } from './api-keys';
import { authorizedCallerRoutes } from './authorized-callers';
import { callerIdRoutes } from './caller-ids';
import { callbackRoutes } from './callbacks';
import { callRoutes } from './calls';
import { channelRoutes } from './channels';
import { clientRoutes } from './clients';
import { docsRoutes } from './docs';
import { extensionRoutes } from './extensions';
import { numberRoutes } from './numbers';
import { promptRoutes } from './prompts';
import { rateTableRoutes } from './rate-tables';
import { settingsRoutes } from './settings';
import { soundMiddleware, soundRoutes } from './sounds';
import { webhookRoutes } from './webhooks';

/**
 * The route table of the configuration API. Everything under /api is listed here, which is what
 * the OpenAPI document and the generated tenant-isolation tests iterate over.
 */
export const resourceRoutes: RouteSpec[] = [
  ...clientRoutes,
  ...apiKeyRoutes,
  ...rateTableRoutes,
  ...channelRoutes,
  ...numberRoutes,
  ...extensionRoutes,
  ...callerIdRoutes,
  ...authorizedCallerRoutes,
  ...soundRoutes,
  ...callRoutes,
  ...callbackRoutes,
  ...promptRoutes,
  ...settingsRoutes,
  ...webhookRoutes,
];

/** Route-specific middleware (multipart parsing) keyed by "method path". */
export const routeMiddleware: Record<string, RequestHandler[]> = { ...soundMiddleware };

export function apiRouteTable(serverUrl: string): RouteSpec[] {
  const table = [...resourceRoutes];
  table.push(...docsRoutes(() => table, serverUrl));
  return table;
}
