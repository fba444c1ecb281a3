import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { SpecValidator } from '@sims/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpSession, payload, startMcp, texts } from './support/mcp.js';
import { startTestServer, type TestServer } from './support/server.js';

// Cases for the builtin "Northwind Shop" agent, judged offline by exact checks (no LLM judge here:
// natural-language criteria come back not evaluated, so `any` lets the checks decide).
const PASSING_CASE = {
  name: 'Order status',
  prompt: 'You are Dana. You want to know where your order 12345 is.',
  caller_turns: ['Hi, where is my order?', "It's 12345.", 'No, that is all. Thank you, goodbye. [END_CALL]'],
  success_criteria: ['The agent tells the caller when the order arrives'],
  call_success_type: 'any',
  checks: [
    { kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '12345' } },
    { kind: 'ended_by', side: 'persona' },
  ],
};
const FAILING_CASE = {
  name: 'Refund outside the window',
  prompt: 'You want a refund for order 45678, which arrived about seven weeks ago.',
  caller_turns: ['I want a refund for my order 45678.', 'Can you not make an exception?', 'Fine. Goodbye. [END_CALL]'],
  success_criteria: ['The agent issues the refund'],
  call_success_type: 'all',
  checks: [
    {
      kind: 'tool_called',
      name: 'create_refund',
      arguments: { order_id: '45678' },
      description: 'The agent creates a refund for order 45678',
    },
  ],
};

describe('task tools on the real simulation engine (builtin shop agent, offline)', () => {
  let server: TestServer;
  let mcp: McpSession;
  let suiteId: string;
  let firstSession: string;
  let secondSession: string;
  const spec = new SpecValidator();
  const call = (name: string, args: Record<string, unknown>) => mcp.client.callTool({ name, arguments: args });

  beforeAll(async () => {
    server = await startTestServer();
    mcp = await startMcp({ SIMS_BASE_URL: server.url, SIMS_API_KEY: server.key, SIMS_POLL_INTERVAL_MS: '200' });
    const agent = payload(
      await call('createAgent', {
        body: {
          name: 'Northwind Shop',
          prompt: 'You are the phone support of Northwind.',
          connector: { kind: 'builtin', builtin: 'shop_support' },
        },
      }),
    );
    const suite = payload(await call('createSimulationSuite', { body: { name: 'Shop', model_id: agent.id } }));
    suiteId = suite.id;
    for (const body of [PASSING_CASE, FAILING_CASE]) payload(await call('createSimulationCase', { body: { ...body, suite_id: suiteId } }));
  });
  afterAll(async () => {
    await mcp?.close();
    await server?.stop();
  });

  it('run_suite_and_report runs the suite to its end in one call and answers the report, with progress on the way', async () => {
    const progress: Progress[] = [];
    const result = await mcp.client.callTool({ name: 'run_suite_and_report', arguments: { suite_id: suiteId, max_turns: 10 } }, undefined, {
      onprogress: (p) => progress.push(p),
      resetTimeoutOnProgress: true,
    });
    const answer = payload(result);
    firstSession = answer.simulation_session_id;
    const summary = texts(result)[0] ?? '';
    expect(summary).toContain(`Suite "Shop" on agent `);
    expect(summary).toContain(`session ${firstSession} finished.`);
    expect(summary).toContain('1 of 2 cases passing, 1 failing, 0 flaky; 1 of 2 runs passed (pass rate 50%).');
    expect(summary).toContain('PASS Order status: 1/1 runs passed');
    expect(summary).toContain('FAIL Refund outside the window: 0/1 runs passed');
    expect(summary).toContain('failed 1/1: The agent creates a refund for order 45678');
    expect(answer).toMatchObject({
      suite_id: suiteId,
      suite_name: 'Shop',
      total_simulations: 2,
      completed_simulations: 2,
      comparison: null,
    });
    expect(spec.validateSchema('SimulationSessionReport', answer.report)).toEqual([]);
    expect(answer.report.case_outcomes).toMatchObject({ passing: 1, failing: 1 });

    expect(progress[0]?.message).toContain(`session ${firstSession} started: Shop, 2 cases`);
    expect(progress.at(-1)).toMatchObject({ progress: 2, total: 2, message: '2/2 done | completed 2 | failed 0 | pending 0' });
    // Each notification's progress is more than the one before, as MCP requires.
    for (const [i, p] of progress.entries()) if (i > 0) expect(p.progress).toBeGreaterThan(progress[i - 1]?.progress ?? -1);
  });

  it("compare_with_last_run on a suite's first run answers a tool error: there is no earlier run", async () => {
    const result = await call('compare_with_last_run', { simulation_session_id: firstSession });
    expect(result.isError).toBe(true);
    const text = texts(result).join('\n');
    expect(text).toMatch(/^404 not_found: /);
    expect(text).toContain('baseline');
  });

  it('run_suite_and_report with baseline last answers the comparison with the first run too', async () => {
    const result = await call('run_suite_and_report', { suite_id: suiteId, max_turns: 10, baseline: 'last' });
    const answer = payload(result);
    secondSession = answer.simulation_session_id;
    expect(answer.comparison).toMatchObject({
      simulation_session_id: secondSession,
      baseline_session_id: firstSession,
      verdict: 'unchanged',
    });
    expect(spec.validateSchema('SimulationSessionComparison', answer.comparison)).toEqual([]);
    expect(texts(result)[0]).toContain(`Compared with session ${firstSession}: unchanged; pass rate 50% → 50%`);
  });

  it('compare_with_last_run compares a session with the run before it', async () => {
    const result = await call('compare_with_last_run', { simulation_session_id: secondSession });
    const comparison = payload(result);
    expect(comparison).toMatchObject({ simulation_session_id: secondSession, baseline_session_id: firstSession, verdict: 'unchanged' });
    expect(comparison.summary).toMatchObject({ still_passing: 1, still_failing: 1, newly_failing: 0, fixed: 0 });
    expect(texts(result)[0]).toContain('newly failing 0, fixed 0, still failing 1, still passing 1');
  });

  it('run_suite_and_report on an unknown suite answers the 404 as a tool error', async () => {
    const result = await call('run_suite_and_report', { suite_id: 'no-such-suite' });
    expect(result.isError).toBe(true);
    expect(texts(result).join('\n')).toMatch(/^404 not_found: .*no-such-suite/);
  });

  it('import_transcript turns a plain-text call into a case whose caller says exactly the recorded lines', async () => {
    const conversation = [
      'Agent: Thanks for calling Northwind, how can I help?',
      'Caller: Hi, where is my order?',
      'Agent: Could you give me the order number?',
      "Caller: It's 12345.",
      'Agent: Order 12345 has shipped and arrives Thursday.',
      'Caller: Great, thanks. Bye!',
    ].join('\n');
    const result = await call('import_transcript', {
      suite_id: suiteId,
      conversation,
      success_criteria: ['The agent tells the caller when the order arrives'],
    });
    const imported = payload(result);
    expect(spec.validateSchema('SimulationCaseImportOut', imported)).toEqual([]);
    expect(imported.simulation_case).toMatchObject({
      suite_id: suiteId,
      caller_turns: ['Hi, where is my order?', "It's 12345.", 'Great, thanks. Bye!'],
      success_criteria: ['The agent tells the caller when the order arrives'],
    });
    expect(imported.import).toMatchObject({ format: 'text', caller_turns: 3, agent_turns: 3, criteria_source: 'given' });
    expect(texts(result)[0]).toMatch(
      /^Created case ".+" \(\S+\) in suite \S+: 3 caller turns, 3 agent turns, 0 tool calls read from text; criteria given\.$/,
    );

    const invalid = await call('import_transcript', {
      suite_id: suiteId,
      conversation: 'Hello there\nCaller: hi',
      success_criteria: ['x'],
    });
    expect(invalid.isError).toBe(true);
    expect(texts(invalid).join('\n')).toMatch(/^422 /);
  });
});
