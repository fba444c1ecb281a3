import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { GeneratePage } from '../../src/pages/suites/GeneratePage.js';
import { AGENT_ID, caseRead, ok, renderRoutes, stubApi, SUITE_ID, suiteRead } from './harness.js';

/** An NDJSON answer whose chunks the test sends one at a time; `state.cancelled` once its reader cancels it. */
function ndjsonStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return {
    state,
    answer() {
      return new Response(body, { status: 200, headers: { 'Content-Type': 'application/x-ndjson' } });
    },
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const SCENARIO_ID = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

function generateApi(stream: ReturnType<typeof ndjsonStream>) {
  return stubApi((request) => {
    if (request.method === 'GET' && request.path === `/simulation_suites/${SUITE_ID}`) return ok(suiteRead());
    if (request.method === 'GET' && request.path === '/simulation_scenarios') {
      const at = '2026-11-20T09:00:00Z';
      const scenario = {
        id: SCENARIO_ID,
        name: 'Late delivery',
        description: 'Order is late',
        workspace_id: 'ws_1',
        created_at: at,
        updated_at: at,
      };
      return ok({ items: [scenario], total: 1, page_number: 1, page_size: 100 });
    }
    if (request.method === 'POST' && request.path === '/simulation_cases/generate') return stream.answer();
    return undefined;
  });
}

describe('generate cases', () => {
  it('sends the categories and scenarios chosen, and shows progress and each case as its line arrives', async () => {
    const stream = ndjsonStream();
    const api = generateApi(stream);
    renderRoutes({ '/suites/:id/generate': GeneratePage }, `/suites/${SUITE_ID}/generate`, api.fetch);

    for (const label of [
      /^Caller satisfaction/,
      /^Repetitive phrases/,
      /^Conversational naturalness/,
      /^Script compliance/,
      /^Angry user/,
    ]) {
      fireEvent.click(await screen.findByLabelText(label));
    }
    fireEvent.click(screen.getByLabelText(/Only these/));
    fireEvent.click(await screen.findByLabelText('Late delivery'));
    fireEvent.click(screen.getByRole('button', { name: 'Generate' }));

    await waitFor(() => expect(api.sent('POST', '/simulation_cases/generate')).toHaveLength(1));
    const [sent] = api.sent('POST', '/simulation_cases/generate');
    expect(sent?.body).toEqual({
      agent_id: AGENT_ID,
      suite_id: SUITE_ID,
      include_tests: ['task_completion', 'accuracy_of_responses'],
      scenario_ids: [SCENARIO_ID],
    });
    expect(sent?.headers.get('Idempotency-Key')).toBeTruthy();

    stream.send(line({ type: 'progress', message: 'Writing cases', completed: 0, total: 2 }));
    expect((await screen.findByRole('status')).textContent).toBe('Writing cases (0 of 2)');
    expect(screen.getByRole('button', { name: 'Stop generating' })).toBeTruthy();

    // A case line split across two chunks shows once it is whole.
    const first = line({
      type: 'case',
      category: 'task_completion',
      scenario_id: SCENARIO_ID,
      simulation_case: caseRead({ simulation_case_id: 'c1', name: 'Late parcel, refund asked' }),
    });
    stream.send(first.slice(0, 40));
    expect(screen.queryByText('Late parcel, refund asked')).toBeNull();
    stream.send(first.slice(40));
    expect((await screen.findByRole('link', { name: 'Late parcel, refund asked' })).getAttribute('href')).toBe('/cases/c1');

    stream.send(line({ type: 'progress', message: 'Writing cases', completed: 1, total: 2 }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Writing cases (1 of 2)'));
    stream.send(
      line({
        type: 'case',
        category: 'accuracy_of_responses',
        simulation_case: caseRead({ simulation_case_id: 'c2', name: 'Quotes the right price' }),
      }),
    );
    await screen.findByRole('link', { name: 'Quotes the right price' });
    stream.send(line({ type: 'error', error: { code: 'generator_failed', message: 'The model stopped answering.' } }));
    stream.end();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('generator_failed');
    expect(alert.textContent).toContain('The model stopped answering.');
    expect(screen.getAllByRole('listitem').filter((item) => item.closest('.generate-log'))).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Stop generating' })).toBeNull();
  });

  it('stops reading when cancelled and says the cases already sent are saved', async () => {
    const stream = ndjsonStream();
    const api = generateApi(stream);
    renderRoutes({ '/suites/:id/generate': GeneratePage }, `/suites/${SUITE_ID}/generate`, api.fetch);

    fireEvent.click(await screen.findByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(api.sent('POST', '/simulation_cases/generate')).toHaveLength(1));
    expect(api.sent('POST', '/simulation_cases/generate')[0]?.body).toEqual({
      agent_id: AGENT_ID,
      suite_id: SUITE_ID,
      include_tests: [
        'task_completion',
        'accuracy_of_responses',
        'script_compliance',
        'angry_user',
        'csat_score',
        'repetitive_phrases',
        'conversational_naturalness',
      ],
    });
    stream.send(
      line({ type: 'case', category: 'angry_user', simulation_case: caseRead({ simulation_case_id: 'c1', name: 'Shouting caller' }) }),
    );
    await screen.findByRole('link', { name: 'Shouting caller' });

    fireEvent.click(screen.getByRole('button', { name: 'Stop generating' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Stopped. The 1 case sent before are saved.'));
    // The answer's body was cancelled: the connection is closed, not left streaming.
    await waitFor(() => expect(stream.state.cancelled).toBe(true));
    expect(screen.getByRole('button', { name: 'Generate' })).toBeTruthy();
  });
});
