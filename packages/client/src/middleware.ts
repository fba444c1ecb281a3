import type { Middleware } from 'openapi-fetch';
import { SimulationsApiError, rememberRequestId } from './errors.js';
import { randomId } from './ids.js';

/** A fresh request id, `req_` and 32 hex digits. */
const newRequestId = () => `req_${randomId()}`;

/** Sends the API key as a bearer token on every request. */
export function authMiddleware(apiKey: string): Middleware {
  const value = `Bearer ${apiKey}`;
  return {
    onRequest({ request }) {
      request.headers.set('Authorization', value);
    },
  };
}

/**
 * Gives every call an `X-Request-Id` unless the caller set one. The server echoes it, so one id
 * names the call in both sides' logs, and it stays the same across retries of the call.
 */
export function requestIdMiddleware(generate: () => string = newRequestId): Middleware {
  return {
    onRequest({ request }) {
      if (!request.headers.has('x-request-id')) request.headers.set('X-Request-Id', generate());
    },
    onResponse({ request, response }) {
      const sent = request.headers.get('x-request-id');
      if (sent !== null && !response.ok) rememberRequestId(response, sent);
    },
  };
}

export function userAgentMiddleware(userAgent: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set('User-Agent', userAgent);
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
