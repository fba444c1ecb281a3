import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SessionPage } from '../../src/pages/sessions/SessionPage.js';
import { BASELINE_ID, COMPARISON, page, report, SESSION_ID, SUITE_ID, session, simulation } from './fixtures.js';
import { type Handler, ok, renderPage, stubApi } from './harness.js';

const REPORT = `/simulations/session/${SESSION_ID}/report`;
const SESSION = `/simulations/session/${SESSION_ID}`;
const COMPARE = `/simulations/session/${SESSION_ID}/comparison`;

/** The session's API: the report and runs answer in progress `runningReads` times, then finished. */
function sessionApi(options: { runningReads: number; comparison?: Handler }) {
  let reportReads = 0;
  const finished = () => reportReads > options.runningReads;
  return stubApi((request) => {
    if (request.method === 'GET' && request.path === REPORT) {
      reportReads += 1;
      return ok(report(finished()));
    }
    if (request.method === 'GET' && request.path === SESSION)
      return ok(session(finished() ? {} : { pending_simulations: 3, usage: undefined }));
    if (request.method === 'GET' && request.path === '/simulations') {
      const state = finished() ? {} : { status: 'in-progress' as const, success_criteria_analysis: null, finished_at: null };
      return ok(page([simulation(state)]));
    }
    if (request.method === 'GET' && request.path === '/simulations/sessions') {
      return ok(page([session(), session({ simulation_session_id: BASELINE_ID, created_at: '2026-11-19T08:00:00Z' })]));
    }
    if (request.method === 'GET' && request.path === `/simulation_suites/${SUITE_ID}`) return ok({ id: SUITE_ID, name: 'Refunds' });
    if (request.method === 'GET' && request.path === COMPARE) return options.comparison?.(request) ?? ok(COMPARISON);
    if (request.method === 'POST' && request.path === `${SESSION}/cancel`) {
      return ok({
        simulation_session_id: SESSION_ID,
        cancelled_simulations: 3,
        cancelled_at: '2026-11-20T09:20:30Z',
        total_simulations: 4,
        completed_simulations: 1,
        failed_simulations: 3,
        pending_simulations: 0,
      });
    }
    return undefined;
  });
}

describe('session page', () => {
  it('shows the progress while runs are pending, then every case’s outcome once they have finished', async () => {
    const api = sessionApi({ runningReads: 1 });
    renderPage('/sessions/:id', `/sessions/${SESSION_ID}`, SessionPage, api.fetch);

    const progress = await screen.findByRole('progressbar');
    expect(await screen.findByRole('heading', { level: 1, name: 'Session of Refunds' })).toBeTruthy();
    expect(progress.getAttribute('value')).toBe('1');
    expect(progress.getAttribute('max')).toBe('4');
    expect(screen.getByText('1 of 4 runs finished')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Cancel session' })).toBeTruthy();
    expect(await screen.findByText('Running', { selector: '.session-runs .badge' })).toBeTruthy();
    expect(screen.getByText(/comparison with a baseline comes when every run has finished/)).toBeTruthy();

    // The page polls the report; the next answer has every run finished.
    expect(await screen.findByText('4 of 4 runs finished', {}, { timeout: 4000 })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel session' })).toBeNull();
    const cases = screen.getByRole('table', { name: 'Outcome of each case' });
    const refund = within(cases).getByRole('row', { name: /Handles refund request/ });
    expect(within(refund).getByText('Flaky')).toBeTruthy();
    expect(within(refund).getByText('50%')).toBeTruthy();
    expect(within(cases).getByRole('row', { name: /Asks for opening hours/ }).textContent).toContain('Passing');
    // The runs list is read again once the session is over: the run now shows its verdict.
    expect(await screen.findByText('Did not pass', { selector: '.session-runs .badge' })).toBeTruthy();
    expect(api.requests.some((r) => r.path === '/simulations' && r.query.get('simulation_session_id') === SESSION_ID)).toBe(true);

    // A case's criteria open on demand, with the most common reason they failed.
    fireEvent.click(within(refund).getByRole('button', { name: /Show 1 criteria/ }));
    expect(screen.getByText('No resolution was confirmed with the caller.')).toBeTruthy();

    // Usage per role, from the session read once it finished.
    const usage = await screen.findByRole('table', { name: /Model usage/ });
    expect(within(usage).getByRole('row', { name: /Total/ }).textContent).toContain('800');
  });

  it('compares with the last session by default, shows the verdict and each case’s change, and asks for a picked baseline', async () => {
    const api = sessionApi({ runningReads: 0 });
    renderPage('/sessions/:id', `/sessions/${SESSION_ID}`, SessionPage, api.fetch);

    expect(await screen.findByText('Regressed', { selector: '.comparison-verdict .badge' })).toBeTruthy();
    expect(screen.getByText(/100% → 75% \(−25 pts\)/)).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Each case against the baseline' });
    const refund = within(table).getByRole('row', { name: /Handles refund request/ });
    expect(refund.textContent).toContain('Newly failing');
    expect(refund.textContent).toContain('−100 pts');
    expect(api.requests.find((r) => r.path === COMPARE)?.query.get('baseline')).toBe('last');
    // Which criterion moved: the case's criteria on both sides, on demand.
    fireEvent.click(within(refund).getByRole('button', { name: /Show 1 criteria/ }));
    const criteria = screen.getByRole('table', { name: /Handles refund request against the baseline/ });
    expect(within(criteria).getByRole('row', { name: /Agent provided a resolution/ }).textContent).toContain('Regressed');

    // The other finished session of the suite can be picked as the baseline.
    const select = screen.getByLabelText('Baseline') as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBe(2));
    fireEvent.change(select, { target: { value: BASELINE_ID } });
    await waitFor(() => expect(api.requests.some((r) => r.path === COMPARE && r.query.get('baseline') === BASELINE_ID)).toBe(true));
  });

  it('shows a suite’s first session, which has no baseline, as a calm empty state and not as an error', async () => {
    const api = sessionApi({
      runningReads: 0,
      comparison: () => ({
        status: 404,
        body: {
          status: 'error',
          error: {
            code: 'not_found',
            message: 'No finished session of this suite before this one',
            details: [{ location: 'query', field: 'baseline', message: 'no earlier finished session' }],
            request_id: 'req_test',
          },
        },
      }),
    });
    renderPage('/sessions/:id', `/sessions/${SESSION_ID}`, SessionPage, api.fetch);

    expect(await screen.findByText('Nothing to compare with yet')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('cancels the session with the cancel button', async () => {
    const api = sessionApi({ runningReads: 100 });
    renderPage('/sessions/:id', `/sessions/${SESSION_ID}`, SessionPage, api.fetch);

    fireEvent.click(await screen.findByRole('button', { name: 'Cancel session' }));
    expect(await screen.findByText('Cancelled 3 runs.')).toBeTruthy();
    expect(api.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([`${SESSION}/cancel`]);
  });

  it('shows the API’s error when the session cannot be read', async () => {
    const api = stubApi(() => undefined);
    renderPage('/sessions/:id', `/sessions/${SESSION_ID}`, SessionPage, api.fetch);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('not_found');
  });
});
