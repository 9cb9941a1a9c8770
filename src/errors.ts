// The one error type of the broker and the catalog of error codes: code → HTTP status.
// Routes answer a BrokerError as {error, code, details}; anything else is a bug (500).

export const ERRORS = {
  invalid_json: 400,
  push_url_forbidden: 400,
  unauthorized: 401,
  forbidden: 403,
  invalid_input: 400,
  pattern_invalid: 400,
  unsupported_media_type: 415,
  routing_too_costly: 422,
  fan_out_too_large: 422,
  body_too_large: 413,
  route_not_found: 404,
  task_not_found: 404,
  event_not_found: 404,
  worker_not_found: 404,
  queue_not_found: 404,
  schedule_not_found: 404,
  token_not_found: 404,
  token_exists: 409,
  revision_not_found: 404,
  task_exists: 409,
  task_not_owned: 409,
  task_finished: 409,
  task_not_waiting: 409,
  idempotency_conflict: 409,
  limit_reached: 409,
  rate_limited: 429,
  store_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class BrokerError extends Error {
  readonly status: number;
  constructor(readonly code: ErrorCode, message: string, readonly details: unknown[] = []) {
    super(message);
    this.status = ERRORS[code];
  }
}

/** Thrown by a driver when its database cannot be reached or written: the broker answers 503. */
export class StoreUnavailableError extends Error {}
