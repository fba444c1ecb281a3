import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { RunPage } from '../../src/pages/run/RunPage.js';
import { AGENT_ID, caseRead, ok, renderRoutes, stubApi, SUITE_ID, suiteRead } from '../suites/harness.js';

const SESSION_ID = '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d';
const EXECUTE = `/simulation_suites/${SUITE_ID}/execute`;

function runApi(suite = suiteRead()) {
  return stubApi((request) => {
    if (request.method === 'GET' && request.path === `/simulation_suites/${SUITE_ID}`) return ok(suite);
    if (request.method === 'POST' && request.path === EXECUTE) {
      // Not wrapped in the envelope, as the spec says of this operation.
      return { body: { session_id: SESSION_ID, suite_id: SUITE_ID, suite_name: suite.name, total_cases: 2, status: 'started' } };
    }
    return undefined;
  });
}

describe('run a suite', () => {
  it('executes on the suite’s agent with max turns and iterations as query parameters, then opens the session', async () => {
    const api = runApi(suiteRead({ cases: [caseRead(), caseRead({ simulation_case_id: 'c2' })] }));
    renderRoutes({ '/suites/:id/run': RunPage }, `/suites/${SUITE_ID}/run`, api.fetch);

    fireEvent.change(await screen.findByLabelText(/^Iterations/), { target: { value: '5' } });
    fireEvent.change(screen.getByLabelText(/^Max turns/), { target: { value: '30' } });
    expect(screen.getByText(/2 cases, 10 simulations in all/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));

    await screen.findByText(`At /sessions/${SESSION_ID}`);
    const [sent] = api.sent('POST', EXECUTE);
    expect(Object.fromEntries(sent?.query ?? [])).toEqual({ target_agent_id: AGENT_ID, max_turns: '30', iterations: '5' });
    expect(sent?.body).toBeUndefined();
    expect(sent?.headers.get('Idempotency-Key')).toBeTruthy();
  });

  it('keeps iterations within 1–20 before sending, and shows the API’s refusal', async () => {
    const api = stubApi((request) => {
      if (request.method === 'GET') return ok(suiteRead());
      return {
        status: 409,
        body: { status: 'error', error: { code: 'conflict', message: 'The suite has no cases.', details: [], request_id: 'req_test' } },
      };
    });
    renderRoutes({ '/suites/:id/run': RunPage }, `/suites/${SUITE_ID}/run`, api.fetch);

    const iterations = await screen.findByLabelText(/^Iterations/);
    fireEvent.change(iterations, { target: { value: '21' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    expect(iterations.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('must be a whole number from 1 to 20')).toBeTruthy();
    expect(api.sent('POST', EXECUTE)).toHaveLength(0);

    fireEvent.change(iterations, { target: { value: '20' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The suite has no cases.');
    await waitFor(() => expect(api.sent('POST', EXECUTE)).toHaveLength(1));
    expect(api.sent('POST', EXECUTE)[0]?.query.get('iterations')).toBe('20');
  });

  it('offers to add cases instead of a run when the suite has none', async () => {
    const api = runApi(suiteRead({ cases: [] }));
    renderRoutes({ '/suites/:id/run': RunPage }, `/suites/${SUITE_ID}/run`, api.fetch);
    expect(await screen.findByText('This suite has no cases to run')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Write a case' }).getAttribute('href')).toBe(`/suites/${SUITE_ID}/cases/new`);
    expect(screen.queryByRole('button', { name: 'Start run' })).toBeNull();
  });
});
