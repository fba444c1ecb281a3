import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { vi } from 'vitest';
import { App } from '../../src/app.js';
import { AuthProvider } from '../../src/auth/context.js';

/** A request as the app sent it. */
export interface Sent {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export type Answer = { status?: number; body?: unknown } | undefined;

export function errorBody(code: string, message: string, details: unknown[] = []) {
  return { status: 'error', error: { code, message, details, request_id: 'req_test' } };
}

export const ok = (response: unknown) => ({ status: 200, body: { status: 'ok', response } });
export const page = (items: unknown[]) => ok({ items, total: items.length, page_number: 1, page_size: 20 });

/**
 * Replaces the global fetch (which the app's client calls) with the API played by `handler`; any
 * list the handler does not answer is empty, anything else is a 404 in the API's error shape.
 */
export function stubFetch(handler: (request: Sent) => Answer) {
  const requests: Sent[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
    const sent: Sent = {
      method: request.method,
      url: request.url,
      path: url.pathname.replace(/^\/v2/, ''),
      query: url.searchParams,
      headers: request.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
    requests.push(sent);
    const answer =
      handler(sent) ??
      (sent.method === 'GET' && /^\/[a-z_]+$/.test(sent.path)
        ? page([])
        : { status: 404, body: errorBody('not_found', `No stub for ${sent.path}`) });
    if (answer.status === 204) return new Response(null, { status: 204 });
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req_test' },
    });
  });
  vi.stubGlobal('fetch', fetch);
  return { requests, sent: (method: string, path: string) => requests.filter((r) => r.method === method && r.path === path) };
}

/** The whole app as main.tsx mounts it, at `path` in the window's own history. */
export function renderApp(path: string) {
  window.history.replaceState(null, '', path);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <AuthProvider>
        <App />
      </AuthProvider>
    </QueryClientProvider>,
  );
}

export function signInAs(apiKey: string, workspaceId = 'ws_test') {
  sessionStorage.setItem('sims.apiKey', apiKey);
  sessionStorage.setItem('sims.workspaceId', workspaceId);
}

export function agentRecord(overrides: Record<string, unknown> = {}) {
  return {
    id: '3f1c2b9e-6a4d-4c1e-9b7a-2d5e8f0a1b2c',
    workspace_id: 'ws_42',
    name: 'Shop line',
    prompt: 'You answer the phone of the shop.',
    connector: { kind: 'builtin' },
    agent_type: 'inbound',
    avatar_url: null,
    phone_number: null,
    created_at: '2026-11-30T10:00:00Z',
    updated_at: '2026-11-30T11:00:00Z',
    ...overrides,
  };
}
