import type { Schemas } from '@sims/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ComponentType } from 'react';
import { Route, Router, Switch, useLocation } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { ApiProvider } from '../../src/api.js';
import { AuthProvider } from '../../src/auth/context.js';

/** A request as the page sent it: method, path under `/v2`, query, headers and the JSON body. */
export interface Sent {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Answer = { status?: number; body: unknown } | Response | undefined;

/**
 * A fetch that plays the API for the suite, case and run pages: records each request with its body
 * and answers with the spec's shapes; a handler may answer a whole `Response` (an NDJSON stream).
 */
export function stubApi(handler: (request: Sent) => Answer) {
  const requests: Sent[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' || request.method === 'DELETE' ? '' : await request.text();
    const sent: Sent = {
      method: request.method,
      path: url.pathname.replace(/^\/v2/, ''),
      query: url.searchParams,
      headers: request.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
    requests.push(sent);
    const answer = handler(sent) ?? {
      status: 404,
      body: {
        status: 'error',
        error: { code: 'not_found', message: `No stub for ${sent.method} ${sent.path}`, details: [], request_id: 'req_test' },
      },
    };
    if (answer instanceof Response) return answer;
    if (answer.status === 204) return new Response(null, { status: 204 });
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req_test' },
    });
  };
  return {
    fetch: fetch as typeof globalThis.fetch,
    requests,
    sent: (method: string, path: string) => requests.filter((r) => r.method === method && r.path === path),
  };
}

function Where() {
  const [location] = useLocation();
  return <p>At {location}</p>;
}

/**
 * Renders the app's routes given at `path`, signed in, with the API answered by `fetch`; any other
 * address shows "At <path>", so a test sees where a page navigated to.
 */
export function renderRoutes(routes: Record<string, ComponentType>, path: string, fetch: typeof globalThis.fetch) {
  sessionStorage.setItem('sims.apiKey', 'sk_test_key');
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const { hook } = memoryLocation({ path });
  return render(
    <QueryClientProvider client={queryClient}>
      <AuthProvider>
        <ApiProvider fetch={fetch}>
          <Router hook={hook}>
            <Switch>
              {Object.entries(routes).map(([pattern, Page]) => (
                <Route key={pattern} path={pattern} component={Page} />
              ))}
              <Route component={Where} />
            </Switch>
          </Router>
        </ApiProvider>
      </AuthProvider>
    </QueryClientProvider>,
  );
}

export const ok = (response: unknown) => ({ body: { status: 'ok', response } });

export const validationFailed = (details: Schemas['FieldError'][]) => ({
  status: 422,
  body: { status: 'error', error: { code: 'validation_failed', message: 'The request is invalid.', details, request_id: 'req_test' } },
});

export const SUITE_ID = '3c1f8a2e-5d4b-4e7a-9c6f-1a2b3c4d5e6f';
export const AGENT_ID = '6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f';
export const CASE_ID = '9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d';
const AT = '2026-11-20T09:15:00Z';

export function caseRead(overrides: Partial<Schemas['SimulationCaseReadOut']> = {}): Schemas['SimulationCaseReadOut'] {
  return {
    simulation_case_id: CASE_ID,
    workspace_id: 'ws_1',
    suite_id: SUITE_ID,
    name: 'Handles refund request',
    prompt: 'You are a customer who wants a refund for order #12345.',
    type: 'custom',
    success_criteria: ['Agent acknowledged the refund request'],
    call_success_type: 'all',
    base_agent: null,
    checks: [],
    caller_turns: [],
    tool_mocks: [],
    expected_agent_turns: [],
    created_at: AT,
    updated_at: AT,
    ...overrides,
  };
}

export function suiteRead(overrides: Partial<Schemas['SimulationSuiteReadOut']> = {}): Schemas['SimulationSuiteReadOut'] {
  return {
    id: SUITE_ID,
    name: 'Customer Support Tests',
    model_id: AGENT_ID,
    workspace_id: 'ws_1',
    language: 'en-US',
    cases: [caseRead()],
    agent: { id: AGENT_ID, name: 'Support bot', avatar: null },
    created_at: AT,
    updated_at: AT,
    ...overrides,
  };
}

/** The control id an input is described by, resolved to the text of its error message. */
export function describedText(element: HTMLElement): string {
  const ids = (element.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}
