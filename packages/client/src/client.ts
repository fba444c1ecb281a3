import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '@sims/api-types';
import { requestIds } from './ids.js';
import { throwOnErrorMiddleware } from './middleware.js';
import { ClientRequest, createTransport, type FetchLike, type RetryOptions } from './transport.js';
import { createHelpers, type SimulationsHelpers } from './helpers.js';
import { VERSION } from './version.js';

export type Region = 'global' | 'us' | 'eu';

/** The public API's base URL in each region. */
export const REGION_BASE_URLS: Readonly<Record<Region, string>> = {
  global: 'https://api.synthflow.ai/v2',
  us: 'https://api.us.synthflow.ai/v2',
  eu: 'https://api.eu.synthflow.ai/v2',
};

interface CommonOptions {
  /** The workspace API key, sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** The fetch to send requests with; defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Time-out of each attempt, until the answer's headers arrive, in ms. Default 30 s; 0 for none. */
  timeoutMs?: number;
  /** Retry policy, or `false` for none. See `RetryOptions` for the defaults. */
  retry?: RetryOptions | false;
  /**
   * Identifies your application: sent as `User-Agent: <userAgent> sims-client/<version>`. Outside
   * browsers the client sends `sims-client/<version>` even without it; browsers get the header only
   * when you set this, since they may refuse it or need it allowed by CORS.
   */
  userAgent?: string;
  /** Reject every call that gets an error answer with a `SimulationsApiError` instead of returning `{ error }`. */
  throwOnError?: boolean;
  /** Generates the `X-Request-Id` of calls that do not set one. */
  requestId?: () => string;
}

export type SimulationsClientOptions = CommonOptions &
  (
    | { /** A full base URL, such as a local server or mock; overrides `region`. */ baseUrl: string; region?: never }
    | { /** The region whose public API to call. Default `global`. */ region?: Region; baseUrl?: never }
  );

/** openapi-fetch's typed client for every operation, plus the helpers for multi-call work. */
export type SimulationsClient = Client<paths> & SimulationsHelpers;

export const DEFAULT_TIMEOUT_MS = 30_000;

function runsInBrowser(): boolean {
  return typeof (globalThis as { document?: unknown }).document !== 'undefined';
}

/**
 * Creates the client. Every operation of the API is a typed openapi-fetch method
 * (`client.GET('/simulations/{simulation_id}', …)`) answering `{ data, error, response }`.
 */
export function createSimulationsClient(options: SimulationsClientOptions): SimulationsClient {
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new TypeError('createSimulationsClient: apiKey is required');
  }
  if (options.baseUrl !== undefined && options.region !== undefined) {
    throw new TypeError('createSimulationsClient: give either baseUrl or region, not both');
  }
  const region = options.region ?? 'global';
  const baseUrl = options.baseUrl ?? REGION_BASE_URLS[region];
  if (baseUrl === undefined) throw new TypeError(`createSimulationsClient: unknown region ${String(region)}`);

  // Looked up at call time, so a fetch replaced later (tests, polyfills) is used, and called unbound
  // from the global object, as browsers require.
  const baseFetch: FetchLike = options.fetch ?? ((request, init) => globalThis.fetch(request, init));
  const agent = `sims-client/${VERSION}`;
  const userAgent = options.userAgent ? `${options.userAgent} ${agent}` : runsInBrowser() ? undefined : agent;
  // Default headers of every request, which a call's own headers and a middleware may still change.
  const headers: Record<string, string> = { Authorization: `Bearer ${options.apiKey}` };
  if (userAgent !== undefined) headers['User-Agent'] = userAgent;
  const client = createClient<paths>({
    baseUrl,
    headers,
    Request: ClientRequest,
    fetch: createTransport(baseFetch, {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retry: options.retry,
      // The global fetch honours `init.signal`; a fetch given by the caller gets the signal on its Request.
      signalInInit: options.fetch === undefined,
      identify: requestIds(options.requestId),
    }),
  });
  if (options.throwOnError) client.use(throwOnErrorMiddleware());

  return Object.assign(client, createHelpers(client));
}
