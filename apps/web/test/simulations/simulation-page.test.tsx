import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SimulationPage } from '../../src/pages/simulations/SimulationPage.js';
import { SIMULATION_ID, simulation } from '../sessions/fixtures.js';
import { ok, renderPage, stubApi } from '../sessions/harness.js';

const PATH = `/simulations/${SIMULATION_ID}`;

describe('simulation page', () => {
  it('shows the conversation: caller and agent turns, the tool call with its result, and the end of the call', async () => {
    const api = stubApi((request) => (request.path === PATH ? ok(simulation()) : undefined));
    renderPage('/simulations/:id', PATH, SimulationPage, api.fetch);

    const conversation = await screen.findByRole('list', { name: 'Conversation' });
    const events = within(conversation).getAllByRole('listitem');
    expect(events).toHaveLength(6);
    expect(events[0]?.textContent).toContain('Acme Support');
    expect(events[0]?.textContent).toContain('Thanks for calling Acme');
    expect(events[1]?.textContent).toContain('Caller');
    expect(events[1]?.textContent).toContain('I want a refund for order 12345');
    // The tool call by name with its arguments, then the mock's answer.
    expect(within(events[2] as HTMLElement).getByText('lookup_order').tagName).toBe('CODE');
    expect(events[2]?.textContent).toContain('"order_id": "12345"');
    expect(events[3]?.textContent).toContain('Tool result');
    expect(events[3]?.textContent).toContain('"refundable":true');
    expect(events[5]?.textContent).toContain('Call ended by the caller');
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${PATH}`]);
  });

  it('shows each criterion and check with its verdict; a failed one’s reasoning links to the turn it cites', async () => {
    const api = stubApi((request) => (request.path === PATH ? ok(simulation()) : undefined));
    renderPage('/simulations/:id', PATH, SimulationPage, api.fetch);

    expect(await screen.findByText('1 of 3 criteria and checks did not pass.')).toBeTruthy();
    const failed = screen.getByText('Failed').closest('li') as HTMLElement;
    expect(failed.textContent).toContain('Agent provided a resolution');
    expect(failed.textContent).toContain('instead of a refund');
    // The reasoning quotes the agent's fifth event; the link goes there.
    const link = within(failed).getByRole('link', { name: 'See event 5 of the conversation' });
    expect(link.getAttribute('href')).toBe('#event-5');
    expect(document.getElementById('event-5')?.textContent).toContain('I can only offer store credit');
    // Criteria first, then the checks.
    expect(screen.getAllByText('Check')).toHaveLength(1);
    expect(screen.getAllByText('Passed')).toHaveLength(2);
    // Usage per role.
    expect(within(screen.getByRole('table', { name: /Model usage/ })).getByRole('row', { name: /Judge/ }).textContent).toContain('100');
  });

  it('shows why a run could not run, and offers to cancel one still in progress', async () => {
    let cancelled = false;
    const running = simulation({ status: 'in-progress', finished_at: null, success_criteria_analysis: null, usage: null });
    const api = stubApi((request) => {
      if (request.method === 'POST' && request.path === `${PATH}/cancel`) {
        cancelled = true;
        return ok(cancelledRun());
      }
      if (request.path === PATH) return ok(cancelled ? cancelledRun() : running);
      return undefined;
    });
    renderPage('/simulations/:id', PATH, SimulationPage, api.fetch);

    expect(await screen.findByText('The verdicts come when the conversation has ended.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel simulation' }));
    expect(await screen.findByText('The simulation was cancelled.')).toBeTruthy();
    expect(await screen.findByRole('heading', { name: 'Cancelled' })).toBeTruthy();
    expect(screen.getByText('cancelSimulation stopped it')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel simulation' })).toBeNull();
    expect(api.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([`${PATH}/cancel`]);
  });

  it('shows the API’s error for an unknown simulation', async () => {
    const api = stubApi(() => undefined);
    renderPage('/simulations/:id', PATH, SimulationPage, api.fetch);
    expect((await screen.findByRole('alert')).textContent).toContain('not_found');
  });
});

function cancelledRun() {
  return simulation({
    status: 'failed',
    success_criteria_analysis: null,
    usage: null,
    error_info: { code: 499, type: 'cancelled', message: 'cancelSimulation stopped it' },
  });
}
