import { describe, expect, it } from 'vitest';
import { generateCases, runSimulation, TEST_CATEGORIES, type GenerateEvent } from '../src/index.js';
import { shopAgent } from './helpers.js';

async function collect(iterable: AsyncIterable<GenerateEvent>) {
  const events: GenerateEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

describe('generateCases offline', () => {
  it('yields progress, one case per category and per scenario, then done', async () => {
    const events = await collect(
      generateCases({
        agent: shopAgent,
        scenarios: [{ id: 'scn-1', name: 'Late refund', description: 'Caller wants a refund for an order delivered 47 days ago.' }],
      }),
    );
    const cases = events.flatMap((e) => (e.type === 'case' ? [e] : []));
    expect(cases.map((c) => c.category)).toEqual([...TEST_CATEGORIES, 'task_completion']);
    expect(cases.at(-1)).toMatchObject({
      scenario_id: 'scn-1',
      case: { name: 'Scenario: Late refund', checks: [{ kind: 'tool_called', name: 'lookup_order' }] },
    });
    expect(events[0]).toEqual({ type: 'progress', message: 'Generating case 1 of 8: Caller satisfaction', completed: 0, total: 8 });
    expect(events.at(-1)).toEqual({ type: 'done', total: 8 });
    for (const c of cases) {
      expect(c.case.success_criteria.length).toBeGreaterThan(0);
      expect(['all', 'any']).toContain(c.case.call_success_type);
    }
  });

  it('derives the cases from the intents in the agent prompt and they run cleanly against the builtin agent', async () => {
    const events = await collect(
      generateCases({ agent: shopAgent, categories: ['task_completion', 'accuracy_of_responses', 'csat_score'] }),
    );
    const cases = events.flatMap((e) => (e.type === 'case' ? [e.case] : []));
    expect(cases.map((c) => c.name)).toEqual(['Task completion: order status', 'Accuracy: cancellation', 'Caller satisfaction: refund']);
    for (const c of cases) {
      const result = await runSimulation({ case: c, agent: shopAgent });
      expect(result.error_info).toBeUndefined();
      const checks = result.analysis!.evaluations.slice(c.success_criteria.length);
      expect(checks.every((e) => e.verdict === 'passed')).toBe(true);
    }
  });

  it('falls back to a general enquiry for a prompt with no known intent', async () => {
    const events = await collect(generateCases({ agent: { ...shopAgent, prompt: 'You are a poet.' }, categories: ['task_completion'] }));
    expect(events.find((e) => e.type === 'case')).toMatchObject({ case: { name: 'Task completion: general enquiry' } });
  });

  it('stops with an error event when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await collect(generateCases({ agent: shopAgent, signal: controller.signal }))).toEqual([
      { type: 'error', error: { code: 'aborted', message: 'generation was aborted' } },
    ]);
  });
});
