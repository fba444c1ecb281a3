// Generated from the x-status map of spec/components/schemas/ErrorCode.yaml by scripts/error-status.mjs (`pnpm generate`). Never edit by hand.

/** The HTTP status each error code is answered with. */
export const ERROR_STATUS = Object.freeze({
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  request_timeout: 408,
  payload_too_large: 413,
  validation_failed: 422,
  rate_limited: 429,
  headers_too_large: 431,
  internal_error: 500,
});
