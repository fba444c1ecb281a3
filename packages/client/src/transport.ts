import isNetworkError from 'is-network-error';
import { parseRetryAfter } from './errors.js';
import { sleep, timeoutError } from './signals.js';

/** The fetch the client sends through; openapi-fetch calls it with a ready `Request`. */
export type FetchLike = (request: Request, init?: RequestInit) => Promise<Response>;

export interface RetryOptions {
  /** Retries after the first attempt (so at most `maxRetries + 1` requests). Default 2; 0 turns retries off. */
  maxRetries?: number;
  /** Back-off before the first retry, doubled for each further retry, before jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** Upper bound of one computed back-off delay. A server's `Retry-After` is not capped by it. Default 8 s. */
  maxDelayMs?: number;
  /**
   * Time budget of one call from its first attempt: a retry whose delay would end past it is not
   * made, and the last answer (or error) is returned instead. Default 30 s.
   */
  maxElapsedMs?: number;
  /** HTTP statuses worth retrying. Default 429, 502, 503, 504. */
  statuses?: readonly number[];
  /** Called before each retry, for logging and metrics. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  /** The wait before it, in milliseconds (from `Retry-After` when the server sent one). */
  delayMs: number;
  request: Request;
  /** The retryable answer, when there was one. */
  response?: Response;
  /** The network error or time-out, when there was no answer. */
  error?: unknown;
}

export interface TransportOptions {
  /** Time-out of each attempt until the answer's headers arrive; 0 or undefined for none. */
  timeoutMs?: number;
  retry?: RetryOptions | false;
  /**
   * `baseFetch` honours `init.signal` as the standard `fetch` does (which makes the `Request` it
   * sends from the one it is given and `init`): an attempt's time-out signal then goes in `init`
   * rather than in a copy of the request, which would be copied once more inside `fetch`. Off by
   * default, since a test's or a caller's fetch may look only at the request's own signal.
   */
  signalInInit?: boolean;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export const RETRY_DEFAULTS = {
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxElapsedMs: 30_000,
  statuses: [429, 502, 503, 504],
} as const satisfies RetryOptions;

/**
 * A request may be sent again when repeating it cannot do anything twice: an idempotent method, or a
 * request carrying an `Idempotency-Key`, which the server uses to answer a repeat without acting.
 */
export function isRetryableRequest(request: Request): boolean {
  return IDEMPOTENT_METHODS.has(request.method.toUpperCase()) || request.headers.has('idempotency-key');
}

/** Exponential back-off with "equal jitter": half of the capped delay fixed, half random. */
export function backoffDelay(retryIndex: number, baseDelayMs: number, maxDelayMs: number, random = Math.random): number {
  const capped = Math.min(maxDelayMs, baseDelayMs * 2 ** retryIndex);
  return capped / 2 + random() * (capped / 2);
}

/** The reason an attempt's own signal is aborted with when its time is up; made only then (an Error captures a stack). */
class AttemptTimeout extends Error {}

/** The requests of the client's own making whose signal can abort (the caller gave the call one). */
const cancellableRequests = new WeakSet<Request>();

/**
 * The `Request` class the client hands openapi-fetch, which builds every call's request with it, so
 * that an attempt knows whether anyone can abort the request's own signal: one built without a signal
 * has a signal nothing aborts, and an attempt then skips the abort listener on it (a listener on a
 * Node `AbortSignal` costs more than the rest of the time-out together). The few that can abort are
 * remembered in a set rather than in a field: a property added to a `Request` slows every later
 * use of it inside fetch.
 */
export class ClientRequest extends Request {
  /** openapi-fetch checks a middleware's replacement request with `instanceof` this class: any `Request` is one. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Request;
  }

  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(input, init);
    // As the constructor itself decides: the signal of `init`, else that of a request given as `input`.
    if (init?.signal !== undefined ? init.signal !== null : input instanceof Request && canAbort(input)) cancellableRequests.add(this);
  }
}

/** Whether anyone can abort `request`'s own signal: yes, unless the client built it without a signal. */
function canAbort(request: Request): boolean {
  return Object.getPrototypeOf(request) !== ClientRequest.prototype || cancellableRequests.has(request);
}

/**
 * Wraps `fetch` with a per-attempt time-out and retries. It sits below openapi-fetch's middleware on
 * purpose: a retry must re-send the final request exactly as every middleware left it, and each
 * attempt needs its own time-out, while `onResponse` middleware runs once per call.
 */
export function createTransport(baseFetch: FetchLike, options: TransportOptions = {}): FetchLike {
  const timeoutMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : undefined;
  const retry = options.retry === false ? { ...RETRY_DEFAULTS, maxRetries: 0 } : { ...RETRY_DEFAULTS, ...options.retry };
  const signalInInit = options.signalInInit === true;

  const attempt = async (request: Request, init: RequestInit | undefined): Promise<Response> => {
    if (timeoutMs === undefined) return baseFetch(request, init);
    const controller = new AbortController();
    const signal = canAbort(request) ? request.signal : undefined;
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) controller.abort(signal.reason);
    else signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), timeoutMs);
    try {
      return await (signalInInit
        ? baseFetch(request, { ...init, signal: controller.signal })
        : baseFetch(new Request(request, { signal: controller.signal }), init));
    } catch (error) {
      if (controller.signal.reason instanceof AttemptTimeout && !signal?.aborted) {
        throw timeoutError(`${request.method} ${request.url} timed out after ${timeoutMs} ms`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };

  return async function transport(request, init) {
    if (retry.maxRetries <= 0 || !isRetryableRequest(request)) return attempt(request, init);
    const started = Date.now();
    for (let retries = 0; ; retries++) {
      const last = retries >= retry.maxRetries;
      // A body can be read once: each attempt but the last sends a copy. Body-less requests (GET,
      // DELETE) need none.
      const sent = last || request.body === null ? request : request.clone();
      let delayMs: number;
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await attempt(sent, init);
        if (last || !retry.statuses.includes(response.status)) return response;
        delayMs = parseRetryAfter(response.headers.get('retry-after')) ?? backoffDelay(retries, retry.baseDelayMs, retry.maxDelayMs);
      } catch (error) {
        if (last || request.signal.aborted || !isTransient(error)) throw error;
        failure = error;
        delayMs = backoffDelay(retries, retry.baseDelayMs, retry.maxDelayMs);
      }
      if (Date.now() - started + delayMs > retry.maxElapsedMs) {
        if (response) return response;
        throw failure;
      }
      // Free the connection of an answer that will not be read. Not awaited: cancelling one branch of
      // a tee'd body (a clone of the answer kept elsewhere) settles only once every branch is cancelled.
      response?.body?.cancel().catch(() => undefined);
      retry.onRetry?.({ retry: retries + 1, delayMs, request, response, error: failure });
      await sleep(delayMs, request.signal);
    }
  };
}

function isTransient(error: unknown): boolean {
  return (error instanceof DOMException && error.name === 'TimeoutError') || (error instanceof Error && isNetworkError(error));
}
