import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { RateLimitConfig } from '../config.js';
import { ApiError } from '../http/errors.js';
import { RateLimiter } from '../http/rate-limit.js';
import { ActiveKeys } from '../keys.js';
import type { ApiKeyRecord, Storage } from '../storage/types.js';
import { appWide } from './app-wide.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The workspace of the request's API key; unset without a valid key. */
    workspaceId?: string;
  }
  interface FastifyContextConfig {
    /** The route needs an API key. */
    secured?: boolean;
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer +(\S+) *$/i);
  return match?.[1];
}

/** Rate limit, then authentication, for one app: its limiter counts per API key, or per address without one. */
export class Admission {
  private readonly limiter: RateLimiter;
  private readonly keys: ActiveKeys;

  constructor(
    storage: Storage,
    private readonly rateLimit: RateLimitConfig,
  ) {
    this.limiter = new RateLimiter(rateLimit);
    // A storage that cannot tell when keys change (PostgreSQL) has no probe: keys are then looked up on every request.
    this.keys = new ActiveKeys(storage, storage.apiKeys.changeProbe?.());
  }

  /**
   * Counts the request and sets its workspace; throws the `ApiError` to answer when it may not go on.
   * Synchronous (no promise to wait for) when the key was cached and no key has changed since.
   */
  admit(request: FastifyRequest, secured: boolean): void | Promise<void> {
    const key = bearer(request.headers.authorization);
    const found = key ? this.keys.find(key) : undefined;
    if (found instanceof Promise) return found.then((record) => this.decide(request, secured, record));
    this.decide(request, secured, found);
  }

  private decide(request: FastifyRequest, secured: boolean, record: ApiKeyRecord | undefined): void {
    const wait = this.limiter.hit(record ? `key:${record.id}` : `ip:${request.ip}`);
    if (wait > 0) {
      const { max, windowMs } = this.rateLimit;
      throw new ApiError(
        'rate_limited',
        `Rate limit of ${max} requests per ${windowMs / 1000} seconds exceeded; retry in ${wait} seconds.`,
        undefined,
        { 'retry-after': String(wait) },
      );
    }
    if (secured && !record) {
      throw new ApiError('unauthorized', 'A valid API key is required in the Authorization header (Bearer <api key>).');
    }
    request.workspaceId = record?.workspace_id;
  }
}

/** Every request is admitted before routing goes on; only routes marked `secured` need a key. */
export const authentication: FastifyPluginAsync<{ admission: Admission }> = appWide('authentication', async (app, { admission }) => {
  // A callback hook, so that an admission decided synchronously costs no promise.
  app.addHook('onRequest', (request, _reply, done) => {
    let pending: void | Promise<void>;
    try {
      pending = admission.admit(request, request.routeOptions.config.secured === true);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (pending) pending.then(() => done(), done);
    else done();
  });
});
