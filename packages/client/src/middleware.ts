import type { Middleware } from 'openapi-fetch';
import { SimulationsApiError } from './errors.js';
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
