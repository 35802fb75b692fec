/**
 * The one error family. Domain code throws these with a kind; only the HTTP edge maps kinds to status
 * codes, so use cases never speak HTTP.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal';

export interface FieldProblem {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly code: string = kind,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const validationError = (message: string, fields: FieldProblem[] = []) => new AppError('validation', message, 'validation_failed', fields);
export const notFound = (what: string) => new AppError('not_found', `${what} not found`, 'not_found');
export const conflict = (message: string, code = 'conflict', fields: FieldProblem[] = []) => new AppError('conflict', message, code, fields);
export const unauthorized = (message = 'a valid API key is required') => new AppError('unauthorized', message, 'unauthorized');

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};
