import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { NewSuitePage } from '../../src/pages/suites/NewSuitePage.js';
import { SuitePage } from '../../src/pages/suites/SuitePage.js';
import { SuitesPage } from '../../src/pages/suites/SuitesPage.js';
import { AGENT_ID, CASE_ID, caseRead, ok, renderRoutes, stubApi, SUITE_ID, suiteRead } from './harness.js';

const OTHER_AGENT = '1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a';
const AT = '2026-11-20T09:15:00Z';
const agent = (id: string, name: string) => ({
  id,
  workspace_id: 'ws_1',
  name,
  prompt: 'You help customers.',
  connector: { kind: 'builtin' },
  agent_type: 'inbound',
  avatar_url: null,
  phone_number: null,
  created_at: AT,
  updated_at: AT,
});
const agentsPage = ok({
  items: [agent(AGENT_ID, 'Support bot'), agent(OTHER_AGENT, 'Sales bot')],
  total: 2,
  page_number: 1,
  page_size: 100,
});

describe('suites', () => {
  it('lists suites with their agent, case count and last change, and says so when there are none', async () => {
    const listItem = {
      ...suiteRead(),
      cases: undefined,
      case_summaries: [
        { simulation_case_id: CASE_ID, name: 'Refund' },
        { simulation_case_id: 'c2', name: 'Hours' },
      ],
    };
    const api = stubApi((request) =>
      request.path === '/simulation_suites'
        ? ok({
            items: request.query.get('search') ? [] : [listItem],
            total: request.query.get('search') ? 0 : 1,
            page_number: 1,
            page_size: 25,
          })
        : undefined,
    );
    renderRoutes({ '/suites': SuitesPage }, '/suites', api.fetch);

    const row = (await screen.findByRole('link', { name: 'Customer Support Tests' })).closest('tr') as HTMLElement;
    expect(within(row).getByRole('link', { name: 'Support bot' }).getAttribute('href')).toBe(`/agents/${AGENT_ID}`);
    expect(within(row).getByText('2')).toBeTruthy();
    expect(within(row).getByText((_, element) => element?.tagName === 'TIME')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Search suites'), { target: { value: 'nothing like it' } });
    expect(await screen.findByText('No suite matches')).toBeTruthy();
    expect(api.requests.at(-1)?.query.get('search')).toBe('nothing like it');
  });

  it('creates a suite for the agent picked, then opens it', async () => {
    const api = stubApi((request) => {
      if (request.path === '/agents') return agentsPage;
      if (request.method === 'POST' && request.path === '/simulation_suites') return ok(suiteRead({ cases: [] }));
      return undefined;
    });
    renderRoutes({ '/suites/new': NewSuitePage }, '/suites/new', api.fetch);

    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'Sales calls' } });
    await screen.findByRole('option', { name: 'Sales bot' });
    fireEvent.change(screen.getByLabelText(/^Agent/), { target: { value: OTHER_AGENT } });
    fireEvent.click(screen.getByRole('button', { name: 'Create suite' }));

    await screen.findByText(`At /suites/${SUITE_ID}`);
    expect(api.sent('POST', '/simulation_suites')[0]?.body).toEqual({ name: 'Sales calls', model_id: OTHER_AGENT });
  });

  it('shows a suite with its cases and links, edits its name and agent, and deletes it after confirming', async () => {
    let suite = suiteRead({ cases: [caseRead({ checks: [{ kind: 'ended_by', side: 'agent' }], caller_turns: ['Hi', 'Bye'] })] });
    const api = stubApi((request) => {
      if (request.path === '/agents') return agentsPage;
      if (request.path !== `/simulation_suites/${SUITE_ID}`) return undefined;
      if (request.method === 'GET') return ok(suite);
      if (request.method === 'PUT') {
        const body = request.body as { name: string; model_id: string };
        suite = { ...suite, ...body, agent: { id: OTHER_AGENT, name: 'Sales bot', avatar: null } };
        return ok(suite);
      }
      if (request.method === 'DELETE') return { status: 204, body: null };
      return undefined;
    });
    renderRoutes({ '/suites/:id': SuitePage }, `/suites/${SUITE_ID}`, api.fetch);

    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Customer Support Tests');
    expect(screen.getByRole('link', { name: 'Handles refund request' }).getAttribute('href')).toBe(`/cases/${CASE_ID}`);
    expect(screen.getByText('scripted, 2 turns')).toBeTruthy();
    for (const [name, href] of [
      ['Run', 'run'],
      ['Sessions', 'sessions'],
      ['Generate cases', 'generate'],
      ['Add case', 'cases/new'],
    ]) {
      expect(screen.getByRole('link', { name }).getAttribute('href')).toBe(`/suites/${SUITE_ID}/${href}`);
    }

    fireEvent.click(screen.getByRole('button', { name: 'Edit suite' }));
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'Sales regression' } });
    await screen.findByRole('option', { name: 'Sales bot' });
    fireEvent.change(screen.getByLabelText(/^Agent/), { target: { value: OTHER_AGENT } });
    fireEvent.click(screen.getByRole('button', { name: 'Save suite' }));
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Sales regression'));
    expect(api.sent('PUT', `/simulation_suites/${SUITE_ID}`)[0]?.body).toEqual({ name: 'Sales regression', model_id: OTHER_AGENT });
    expect(screen.getByRole('link', { name: 'Sales bot' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Delete suite' }));
    expect(screen.getByText(/Delete this suite and its 1 cases\?/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Delete for good' }));
    await screen.findByText('At /suites');
    expect(api.sent('DELETE', `/simulation_suites/${SUITE_ID}`)).toHaveLength(1);
  });

  it('shows the API error when the suite cannot be loaded', async () => {
    const api = stubApi(() => undefined);
    renderRoutes({ '/suites/:id': SuitePage }, `/suites/${SUITE_ID}`, api.fetch);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('not_found');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
