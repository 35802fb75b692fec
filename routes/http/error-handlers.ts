import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, STATUS_BY_KIND } from '../../src/errors';

/** Body-parser and other http-errors carry `status`/`type`; map the ones a client can cause. */
function fromHttpError(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: number; type?: string; message?: string };
  if (e.type === 'entity.too.large' || e.status === 413) return new AppError('payload_too_large', 'request body too large', 'payload_too_large');
  if (e.type === 'entity.parse.failed') return new AppError('validation', 'request body is not valid JSON', 'invalid_json');
  if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported' || e.status === 415)
    return new AppError('unsupported_media_type', e.message ?? 'unsupported media type', 'unsupported_media_type');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new AppError('validation', e.message ?? 'bad request', 'bad_request');
  return undefined;
}

export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no route for ${req.method} ${req.path}`, 'route_not_found'));
};

/** The JSON error handler of the configuration API: every error is `{error: {code, message, fields?}}`. */
export const apiErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const appErr = err instanceof AppError ? err : fromHttpError(err);
  if (!appErr || appErr.kind === 'internal') {
    req.log?.error({ err }, 'unhandled error on API route');
    res.status(500).json({ error: { code: 'internal', message: 'internal error; see the service log for this request id' } });
    return;
  }
  const body: { code: string; message: string; fields?: typeof appErr.fields } = { code: appErr.code, message: appErr.message };
  if (appErr.fields.length) body.fields = appErr.fields;
  res.status(STATUS_BY_KIND[appErr.kind]).json({ error: body });
};
