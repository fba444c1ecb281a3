import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ok, page, renderApp, signInAs, stubFetch } from '../support/app.js';

const ID = '9b2f6c1d-0a3e-4f5b-8c7d-1e2f3a4b5c6d';
const scenario = {
  id: ID,
  workspace_id: 'ws_42',
  name: 'Refund after shipping',
  description: 'A caller asks for a refund on an order that has shipped.',
  created_at: '2026-11-30T10:00:00Z',
  updated_at: '2026-11-30T11:00:00Z',
};

afterEach(() => {
  vi.unstubAllGlobals();
});

function type(label: RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('scenarios', () => {
  it('lists scenarios, and learns the workspace from them when sign-in could not', async () => {
    signInAs('sk_test', '');
    sessionStorage.removeItem('sims.workspaceId');
    stubFetch((request) => (request.path === '/simulation_scenarios' ? page([scenario]) : undefined));
    renderApp('/scenarios');
    expect((await screen.findByRole('link', { name: scenario.name })).getAttribute('href')).toBe(`/scenarios/${ID}`);
    await screen.findByText('ws_42');
    expect(sessionStorage.getItem('sims.workspaceId')).toBe('ws_42');
  });

  it('creates a scenario with the trimmed name and description, then opens it', async () => {
    signInAs('sk_test');
    const api = stubFetch((request) => {
      if (request.method === 'POST' && request.path === '/simulation_scenarios') return ok(scenario);
      if (request.method === 'GET' && request.path === `/simulation_scenarios/${ID}`) return ok(scenario);
      return undefined;
    });
    renderApp('/scenarios/new');
    await screen.findByRole('heading', { name: 'New scenario' });
    fireEvent.click(screen.getByRole('button', { name: 'Create scenario' }));
    await screen.findByText('Enter a name.');
    expect(api.sent('POST', '/simulation_scenarios')).toHaveLength(0);

    type(/^Name/, '  Refund after shipping ');
    type(/^Description/, scenario.description);
    fireEvent.click(screen.getByRole('button', { name: 'Create scenario' }));
    await waitFor(() => expect(window.location.pathname).toBe(`/scenarios/${ID}`));
    expect(api.sent('POST', '/simulation_scenarios')[0]?.body).toEqual({
      name: 'Refund after shipping',
      description: scenario.description,
    });
  });

  it('edits and deletes a scenario', async () => {
    signInAs('sk_test');
    const api = stubFetch((request) => {
      if (request.path !== `/simulation_scenarios/${ID}`) return undefined;
      if (request.method === 'GET') return ok(scenario);
      if (request.method === 'PUT') return ok({ ...scenario, description: 'Changed.' });
      if (request.method === 'DELETE') return { status: 204 };
      return undefined;
    });
    renderApp(`/scenarios/${ID}`);
    await screen.findByRole('heading', { name: scenario.name });
    type(/^Description/, 'Changed.');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Saved.');
    expect(api.sent('PUT', `/simulation_scenarios/${ID}`)[0]?.body).toEqual({ name: scenario.name, description: 'Changed.' });

    fireEvent.click(screen.getByRole('button', { name: 'Delete scenario' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete for good' }));
    await waitFor(() => expect(window.location.pathname).toBe('/scenarios'));
    expect(api.sent('DELETE', `/simulation_scenarios/${ID}`)).toHaveLength(1);
  });
});
