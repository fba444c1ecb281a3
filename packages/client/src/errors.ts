import { ERROR_STATUS } from '@sims/api-types/error-status';
import type { ErrorBody, ErrorCode, FieldError, Payload } from './types.js';

/** Codes for answers whose body is not the API's error body (a proxy's 502 page, for example). */
export type FallbackErrorCode = 'server_error' | 'unknown_error';

/**
 * The code for an error answer whose body carries none, from the spec's status of each code. A 5xx
 * without the API's body more likely came from a proxy than from the server's own `internal_error`,
 * so those statuses are left to the fallback codes.
 */
const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = Object.fromEntries(
  (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).filter(([, status]) => status < 500).map(([code, status]) => [status, code]),
);

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** The request id each answer was sent for, kept for errors whose server did not echo it. */
const sentRequestIds = new WeakMap<Response, string>();

export function rememberRequestId(response: Response, requestId: string): void {
  sentRequestIds.set(response, requestId);
}

/** Parses `Retry-After` (delta-seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The one error the client throws for an HTTP error answer, from `unwrap`, the helpers, or every
 * call when the client was created with `throwOnError`. Transport failures (network errors,
 * time-outs, aborts) are not HTTP answers and keep their own errors (`TypeError`, `DOMException`).
 */
export class SimulationsApiError extends Error {
  override readonly name = 'SimulationsApiError';
  /** HTTP status of the answer. */
  readonly status: number;
  /** The body's machine-readable `error.code`; derived from the status when the body has none. */
  readonly code: ErrorCode | FallbackErrorCode;
  /** Field-level problems (validation failures and unreadable requests); empty otherwise. */
  readonly details: readonly FieldError[];
  /** The request id from the body, else the `X-Request-Id` header of the answer, else the one the client sent. */
  readonly requestId: string | undefined;
  /** How long the server asked to wait before retrying (429), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** The error body as received: the API's error object, or text when it was not JSON. */
  readonly body: unknown;
  readonly response: Response;

  constructor(response: Response, body: unknown, request?: Request) {
    const parsed = isErrorBody(body) ? body.error : undefined;
    const code = parsed?.code ?? CODE_BY_STATUS[response.status] ?? (response.status >= 500 ? 'server_error' : 'unknown_error');
    const message = parsed?.message ?? `HTTP ${response.status} ${response.statusText}`.trim();
    super(`${message} (${response.status} ${code})`);
    this.status = response.status;
    this.code = code;
    this.details = parsed?.details ?? [];
    this.requestId =
      parsed?.request_id ??
      response.headers.get('x-request-id') ??
      sentRequestIds.get(response) ??
      request?.headers.get('x-request-id') ??
      undefined;
    this.retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    this.body = body;
    this.response = response;
  }

  /** The message of the body alone, without the status and code appended for logs. */
  get apiMessage(): string {
    return isErrorBody(this.body) ? this.body.error.message : this.message;
  }
}

/** The shape of every openapi-fetch result. */
export interface FetchResult<Data, Err> {
  data?: Data;
  error?: Err;
  response: Response;
}

/**
 * Opt-in throwing style for one call: resolves to the payload inside the `{ status, response }`
 * envelope (or the un-wrapped body, or `undefined` for a 204) and rejects with a
 * `SimulationsApiError` for an error answer.
 *
 * ```ts
 * const suite = await unwrap(client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id } } }));
 * ```
 */
export async function unwrap<Data, Err>(
  result: FetchResult<Data, Err> | PromiseLike<FetchResult<Data, Err>>,
): Promise<Payload<NonNullable<Data>>> {
  const { data, error, response } = await result;
  if (!response.ok || error !== undefined) throw new SimulationsApiError(response, error);
  return unwrapEnvelope(data) as Payload<NonNullable<Data>>;
}

function unwrapEnvelope(data: unknown): unknown {
  if (typeof data === 'object' && data !== null && (data as { status?: unknown }).status === 'ok' && 'response' in data) {
    return (data as { response: unknown }).response;
  }
  return data;
}
