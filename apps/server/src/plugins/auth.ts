import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { RateLimitConfig } from '../config.js';
import { ApiError } from '../http/errors.js';
import { RateLimiter } from '../http/rate-limit.js';
import { hashKey } from '../keys.js';
import type { Storage } from '../storage/types.js';
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

  constructor(
    private readonly storage: Storage,
    private readonly rateLimit: RateLimitConfig,
  ) {
    this.limiter = new RateLimiter(rateLimit);
  }

  /** Counts the request and sets its workspace; throws the `ApiError` to answer when it may not go on. */
  async admit(request: FastifyRequest, secured: boolean): Promise<void> {
    const key = bearer(request.headers.authorization);
    const record = key ? await this.storage.apiKeys.findActiveByHash(hashKey(key)) : undefined;
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
  app.addHook('onRequest', (request) => admission.admit(request, request.routeOptions.config.secured === true));
});
