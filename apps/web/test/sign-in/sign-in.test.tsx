import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentRecord, errorBody, page, renderApp, signInAs, stubFetch } from '../support/app.js';

const KEY = 'sk_live_secret_123';

afterEach(() => {
  vi.unstubAllGlobals();
});

function submitKey(key: string) {
  fireEvent.change(screen.getByLabelText(/API key/), { target: { value: key } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('sign-in', () => {
  it('sends a signed-out visitor to /sign-in, checks the key with a real call, keeps it in sessionStorage only, and shows the workspace', async () => {
    const api = stubFetch((request) => (request.path === '/agents' ? page([agentRecord({ workspace_id: 'ws_42' })]) : undefined));
    renderApp('/agents');
    await screen.findByRole('heading', { name: 'Test Center' });
    expect(window.location.pathname).toBe('/sign-in');
    const input = screen.getByLabelText(/API key/) as HTMLInputElement;
    expect(input.type).toBe('password');

    submitKey(KEY);

    await screen.findByText('ws_42');
    expect(window.location.pathname).toBe('/suites');
    const [check] = api.sent('GET', '/agents');
    expect(check?.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(check?.query.get('page_size')).toBe('1');
    expect(sessionStorage.getItem('sims.apiKey')).toBe(KEY);
    expect(sessionStorage.getItem('sims.workspaceId')).toBe('ws_42');
    expect(localStorage.length).toBe(0);
    // Never in an address: neither the page's nor any request's.
    expect(window.location.href).not.toContain(KEY);
    for (const request of api.requests) expect(request.url).not.toContain(KEY);
  });

  it('looks further for the workspace when the key sees no agent yet', async () => {
    stubFetch((request) =>
      request.path === '/simulation_suites' ? page([{ id: 's1', workspace_id: 'ws_suites', name: 'Suite' }]) : undefined,
    );
    renderApp('/sign-in');
    submitKey(KEY);
    await screen.findByText('ws_suites');
  });

  it('refuses a key the API does not accept, and keeps nothing', async () => {
    const api = stubFetch(() => ({ status: 401, body: errorBody('unauthorized', 'A valid API key is required.') }));
    renderApp('/sign-in');
    submitKey('sk_wrong');
    await screen.findByText(/This API key was not accepted/);
    expect(api.sent('GET', '/agents')).toHaveLength(1);
    expect(sessionStorage.getItem('sims.apiKey')).toBeNull();
    expect(window.location.pathname).toBe('/sign-in');
  });

  it('asks for a key before calling anything', async () => {
    const api = stubFetch(() => undefined);
    renderApp('/sign-in');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByText('Enter your API key.');
    expect(api.requests).toHaveLength(0);
  });

  it('signs out: forgets the key and goes back to /sign-in', async () => {
    signInAs(KEY, 'ws_42');
    stubFetch(() => undefined);
    renderApp('/agents');
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    await screen.findByRole('button', { name: 'Sign in' });
    expect(window.location.pathname).toBe('/sign-in');
    expect(sessionStorage.getItem('sims.apiKey')).toBeNull();
    expect(sessionStorage.getItem('sims.workspaceId')).toBeNull();
    expect(screen.queryByText(/no longer accepts the key/)).toBeNull();
  });
});

describe('the API client', () => {
  it('sends the key on every call, and a 401 signs out to /sign-in', async () => {
    signInAs(KEY);
    const api = stubFetch((request) =>
      request.path === '/agents' ? { status: 401, body: errorBody('unauthorized', 'The key was revoked.') } : undefined,
    );
    renderApp('/agents');
    await screen.findByRole('button', { name: 'Sign in' });
    expect(window.location.pathname).toBe('/sign-in');
    expect(screen.getByText(/no longer accepts the key/)).toBeTruthy();
    expect(sessionStorage.getItem('sims.apiKey')).toBeNull();
    const [call] = api.sent('GET', '/agents');
    expect(call?.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(new URL(call?.url ?? '').pathname).toBe('/v2/agents');
  });

  it('shows an API error with its code, message and field details', async () => {
    signInAs(KEY);
    stubFetch((request) =>
      request.path === '/agents'
        ? {
            status: 422,
            body: errorBody('validation_failed', 'The request is not valid.', [
              { location: 'query', field: 'page_size', message: 'must be <= 100' },
            ]),
          }
        : undefined,
    );
    renderApp('/agents');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('validation_failed');
    expect(alert.textContent).toContain('The request is not valid.');
    expect(alert.textContent).toContain('page_size');
    expect(alert.textContent).toContain('must be <= 100');
    await waitFor(() => expect(window.location.pathname).toBe('/agents'));
  });
});
