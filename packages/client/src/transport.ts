import isNetworkError from 'is-network-error';
import { parseRetryAfter, rememberRequestId } from './errors.js';
import { Deadlines, sleep, timeoutError } from './signals.js';

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
  /**
   * Gives a call's request its id and answers it (see `requestIds`); applied once per call, before
   * the first attempt. The id is remembered for the
   * error of an answer that is not ok, in case the server does not echo it.
   */
  identify?: (request: Request) => string | undefined;
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
 * The client's fetch: gives the call its request id (`identify`), then sends with a per-attempt time-out and
 * retries. It sits below openapi-fetch's middleware on purpose: a retry must re-send the final request
 * exactly as every middleware left it, and each attempt needs its own time-out, while `onResponse`
 * middleware runs once per call. A call answered at the first attempt goes through one async function
 * (the attempt) and no retry loop.
 */
export function createTransport(baseFetch: FetchLike, options: TransportOptions = {}): FetchLike {
  const timeoutMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : undefined;
  const retry = options.retry === false ? { ...RETRY_DEFAULTS, maxRetries: 0 } : { ...RETRY_DEFAULTS, ...options.retry };
  const retries = retry.maxRetries > 0;
  const signalInInit = options.signalInInit === true;
  const identify = options.identify;
  // Every attempt's time-out on one timer: a setTimeout and clearTimeout per attempt cost more.
  const deadlines = timeoutMs === undefined ? undefined : new Deadlines(timeoutMs, (controller) => controller.abort(new AttemptTimeout()));

  /** One attempt; an answer that is not ok keeps the call's request id for its error. */
  const attempt = async (request: Request, init: RequestInit | undefined, requestId: string | undefined): Promise<Response> => {
    let response: Response;
    if (deadlines === undefined) response = await baseFetch(request, init);
    else {
      const controller = new AbortController();
      const signal = canAbort(request) ? request.signal : undefined;
      let onAbort: (() => void) | undefined;
      if (signal?.aborted) controller.abort(signal.reason);
      else if (signal !== undefined) {
        onAbort = () => controller.abort(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }
      const ticket = deadlines.start(controller);
      try {
        response = await (signalInInit
          ? baseFetch(request, init === undefined ? { signal: controller.signal } : { ...init, signal: controller.signal })
          : baseFetch(new Request(request, { signal: controller.signal }), init));
      } catch (error) {
        if (controller.signal.reason instanceof AttemptTimeout && !signal?.aborted) {
          throw timeoutError(`${request.method} ${request.url} timed out after ${timeoutMs} ms`);
        }
        throw error;
      } finally {
        deadlines.end(ticket);
        if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
      }
    }
    if (!response.ok && requestId !== undefined) rememberRequestId(response, requestId);
    return response;
  };

  const withRetries = async (request: Request, init: RequestInit | undefined, requestId: string | undefined): Promise<Response> => {
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
        response = await attempt(sent, init, requestId);
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

  return function transport(request, init) {
    const requestId = identify?.(request);
    return retries && isRetryableRequest(request) ? withRetries(request, init, requestId) : attempt(request, init, requestId);
  };
}

function isTransient(error: unknown): boolean {
  return (error instanceof DOMException && error.name === 'TimeoutError') || (error instanceof Error && isNetworkError(error));
}
