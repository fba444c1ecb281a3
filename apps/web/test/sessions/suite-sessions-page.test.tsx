import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SuiteSessionsPage } from '../../src/pages/sessions/SuiteSessionsPage.js';
import { AGENT_ID, BASELINE_ID, page, report, SESSION_ID, SUITE_ID, session } from './fixtures.js';
import { ok, renderPage, stubApi } from './harness.js';

const OTHER_SUITE_SESSION = '11111111-2222-4333-8444-555555555555';

function suite() {
  return {
    id: SUITE_ID,
    name: 'Refunds',
    model_id: AGENT_ID,
    workspace_id: 'ws_test',
    language: 'en-US',
    cases: [],
    agent: null,
    created_at: '2026-11-01T10:00:00Z',
    updated_at: '2026-11-01T10:00:00Z',
  };
}

describe('sessions of a suite', () => {
  it('lists the suite’s sessions with counters and pass rates, and the pass-rate trend as a summary and a table', async () => {
    const api = stubApi((request) => {
      if (request.path === `/simulation_suites/${SUITE_ID}`) return ok(suite());
      if (request.path === '/simulations/sessions') {
        return ok(
          page([
            session(),
            session({ simulation_session_id: OTHER_SUITE_SESSION, suite_id: null }),
            session({ simulation_session_id: BASELINE_ID, created_at: '2026-11-19T08:00:00Z' }),
          ]),
        );
      }
      if (request.path === `/simulations/session/${SESSION_ID}/report`) return ok(report(true));
      if (request.path === `/simulations/session/${BASELINE_ID}/report`) {
        return ok({ ...report(true), simulation_session_id: BASELINE_ID, pass_rate: 1 });
      }
      return undefined;
    });
    renderPage('/suites/:id/sessions', `/suites/${SUITE_ID}/sessions`, SuiteSessionsPage, api.fetch);

    expect(await screen.findByRole('heading', { name: 'Sessions of Refunds' })).toBeTruthy();
    // The list filters by the suite's agent; the page keeps the suite's own sessions.
    expect(api.requests.find((r) => r.path === '/simulations/sessions')?.query.get('target_agent_id')).toBe(AGENT_ID);
    const table = await screen.findByRole('table', { name: /Sessions of the suite/ });
    await within(table).findByText('75%');
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(within(table).getByText('100%')).toBeTruthy();
    expect(api.requests.some((r) => r.path.includes(OTHER_SUITE_SESSION))).toBe(false);

    // The chart's text alternative: oldest first.
    expect(
      await screen.findByText('Pass rate over 2 sessions: 100% in the oldest, 75% in the latest (lowest 75%, highest 100%).'),
    ).toBeTruthy();
    const trendTable = screen.getByText('Pass rates as a table').closest('details') as HTMLElement;
    const rows = within(trendTable).getAllByRole('row');
    expect(rows[1]?.textContent).toContain('100%');
    expect(rows[2]?.textContent).toContain('75%');
  });

  it('invites to run a suite that has no session yet', async () => {
    const api = stubApi((request) => {
      if (request.path === `/simulation_suites/${SUITE_ID}`) return ok(suite());
      if (request.path === '/simulations/sessions') return ok(page([]));
      return undefined;
    });
    renderPage('/suites/:id/sessions', `/suites/${SUITE_ID}/sessions`, SuiteSessionsPage, api.fetch);
    expect(await screen.findByText('No session yet')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Run it now' }).getAttribute('href')).toBe(`/suites/${SUITE_ID}/run`);
  });
});
