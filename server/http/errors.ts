import type { MessageKey, Params } from '../i18n/catalogue.js';

export type ErrorCode =
  | 'bad_request'
  | 'forbidden'
  | 'csrf'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'too_large'
  | 'unsupported_media'
  | 'invalid'
  | 'rate_limited'
  | 'internal'
  | 'unavailable';

const STATUS: Record<ErrorCode, 400 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 503> = {
  bad_request: 400,
  forbidden: 403,
  csrf: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media: 415,
  invalid: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

/**
 * The one error type handlers throw. `message` optionally names a catalogue entry that explains the case better
 * than the generic page for the status; `retryAfterSeconds` is sent as Retry-After.
 */
export class AppError extends Error {
  readonly status: (typeof STATUS)[ErrorCode];
  constructor(
    readonly code: ErrorCode,
    readonly options: { message?: MessageKey; params?: Params; retryAfterSeconds?: number } = {},
  ) {
    super(code);
    this.status = STATUS[code];
  }
}
