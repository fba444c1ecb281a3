// Generated from the x-status map of spec/components/schemas/ErrorCode.yaml by scripts/error-status.mjs (`pnpm generate`). Never edit by hand.

/** The HTTP status each error code is answered with. */
export declare const ERROR_STATUS: {
  readonly bad_request: 400;
  readonly unauthorized: 401;
  readonly not_found: 404;
  readonly conflict: 409;
  readonly request_timeout: 408;
  readonly payload_too_large: 413;
  readonly validation_failed: 422;
  readonly rate_limited: 429;
  readonly headers_too_large: 431;
  readonly internal_error: 500;
};
