import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { AppDeps } from '../../src/deps';
import type { Principal } from '../../src/domain/tenant';
import { errorBody } from './schemas';

/**
 * A configuration API route as data: its schemas validate requests at the edge AND generate the
 * OpenAPI document, so the two cannot drift; the route table also drives the tenant-isolation tests.
 */
export type { Principal };

/** `admin`: the operator only. `tenant`: the operator, or a client key limited to its own objects. */
export type Access = 'admin' | 'tenant';

export interface ApiResponse {
  status: number;
  body?: unknown;
  /** Non-JSON answers (CSV export, OpenAPI HTML). */
  raw?: { contentType: string; text: string };
}

export interface HandlerContext<P, Q, B> {
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  deps: AppDeps;
  req: Request;
  res: Response;
}

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  /** Other representations of the same response (e.g. `text/csv` of a list), schema optional. */
  alternatives?: { contentType: string; schema?: z.ZodType }[];
}

// biome-ignore lint/suspicious/noExplicitAny: a route table mixes specs of different P/Q/B; `unknown` would not accept their handlers (parameter variance)
export interface RouteSpec<P = any, Q = any, B = any> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path below /api, e.g. `/clients/:id`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  /** Public routes (the OpenAPI document itself) skip authentication. */
  public?: boolean;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /**
   * `multipart` bodies are parsed by the route's own middleware; `json-or-multipart` accepts both
   * (`multipartBody` documents the multipart form).
   */
  bodyKind?: 'json' | 'multipart' | 'json-or-multipart';
  multipartBody?: z.ZodType;
  responses: Record<number, ResponseDoc>;
  handler(ctx: HandlerContext<P, Q, B>): Promise<ApiResponse>;
}

/**
 * Refusals common to many routes are documented once here: the throttle of failed authentication on
 * every authenticated route, body size and content type on every route that takes a body.
 */
export function defineRoute<P, Q, B>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  const throttled: Record<number, ResponseDoc> = spec.public
    ? {}
    : { 429: { description: 'too many failed authentications from this address (see Retry-After)', schema: errorBody } };
  const bodied: Record<number, ResponseDoc> = spec.body
    ? {
        413: { description: 'request body too large', schema: errorBody },
        415: { description: 'body not sent as a supported content type', schema: errorBody },
      }
    : {};
  return { ...spec, responses: { ...throttled, ...bodied, ...spec.responses } };
}
