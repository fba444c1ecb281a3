import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ComponentType } from 'react';
import { Route, Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { ApiProvider } from '../../src/api.js';
import { AuthProvider } from '../../src/auth/context.js';

interface SentRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

type Answer = { status?: number; body: unknown } | undefined;
/** Answers one request, or `undefined` for a 404 the test did not expect. */
export type Handler = (request: SentRequest) => Answer;

/**
 * A fetch that plays the API: each request is recorded and answered by `handler` with the spec's
 * shapes (`{ status: "ok", response }` envelopes, the error body on errors).
 */
export function stubApi(handler: Handler) {
  const requests: SentRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const sent = { method: request.method, path: url.pathname.replace(/^\/v2/, ''), query: url.searchParams };
    requests.push(sent);
    const answer = handler(sent) ?? {
      status: 404,
      body: {
        status: 'error',
        error: { code: 'not_found', message: `No stub for ${sent.method} ${sent.path}`, details: [], request_id: 'req_test' },
      },
    };
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req_test' },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

/** Renders one page at `path`, signed in, with the API answered by `fetch`. */
export function renderPage(pattern: string, path: string, Page: ComponentType, fetch: typeof globalThis.fetch) {
  sessionStorage.setItem('sims.apiKey', 'sk_test_key');
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const { hook } = memoryLocation({ path });
  return render(
    <QueryClientProvider client={queryClient}>
      <AuthProvider>
        <ApiProvider fetch={fetch}>
          <Router hook={hook}>
            <Route path={pattern} component={Page} />
          </Router>
        </ApiProvider>
      </AuthProvider>
    </QueryClientProvider>,
  );
}

export const ok = (response: unknown) => ({ body: { status: 'ok', response } });
