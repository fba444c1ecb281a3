import type { Middleware } from 'openapi-fetch';
import { SimulationsApiError, rememberRequestId } from './errors.js';
import { randomId } from './ids.js';

/** A fresh request id, `req_` and 32 hex digits. */
const newRequestId = () => `req_${randomId()}`;

/**
 * What the client adds to every request, in one middleware so that a call pays one `onRequest`
 * (openapi-fetch awaits each middleware's hook in turn): the API key as a bearer token; an
 * `X-Request-Id` unless the caller set one (the server echoes it, so one id names the call in both
 * sides' logs, and it stays the same across retries of the call); and `User-Agent` when given.
 */
export function identityMiddleware(options: { apiKey: string; requestId?: () => string; userAgent?: string }): Middleware {
  const authorization = `Bearer ${options.apiKey}`;
  const generate = options.requestId ?? newRequestId;
  const { userAgent } = options;
  return {
    onRequest({ request }) {
      const { headers } = request;
      headers.set('Authorization', authorization);
      if (!headers.has('x-request-id')) headers.set('X-Request-Id', generate());
      if (userAgent !== undefined) headers.set('User-Agent', userAgent);
    },
    onResponse({ request, response }) {
      if (response.ok) return;
      const sent = request.headers.get('x-request-id');
      if (sent !== null) rememberRequestId(response, sent);
    },
  };
}

/** Rejects every call that got an error answer with a `SimulationsApiError` (`throwOnError: true`). */
export function throwOnErrorMiddleware(): Middleware {
  return {
    async onResponse({ request, response }) {
      if (response.ok) return undefined;
      const text = await response.clone().text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON (a proxy's error page, say): the error keeps the text.
      }
      throw new SimulationsApiError(response, body, request);
    },
  };
}
