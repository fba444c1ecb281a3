import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '@sims/api-types';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { apiClient, startTestServer, type ApiClient, type TestServer } from './support/server.js';
import { gate, startWebhookAgent } from './support/webhook-agent.js';

/**
 * The real engine inside the server: the builtin agent and deterministic callers, so every outcome
 * is exact. No assertion depends on how fast the machine is: waits poll until a state is reached.
 */
type Simulation = components['schemas']['SimulationReadOut'];
type CaseIn = components['schemas']['SimulationCaseCreateIn'];

let server: TestServer;
let api: ApiClient;

beforeAll(async () => {
  server = await startTestServer({ engineConfig: { concurrency: 3, timeoutMs: 60_000 } });
  api = apiClient(server.url, server.key);
});
afterAll(() => server.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 2000; i += 1) {
    const value = await read();
    if (done(value)) return value;
    await sleep(15);
  }
  throw new Error(`gave up waiting for ${what}`);
}

const getSimulation = async (id: string, client = api) =>
  (await client.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: id } } })).data!.response;
const finished = (id: string, client = api) =>
  until(
    () => getSimulation(id, client),
    (s) => s.status !== 'in-progress',
    `simulation ${id}`,
  );

async function agent(
  connector: components['schemas']['AgentConnectorIn'] = { kind: 'builtin' },
  client = api,
  prompt = 'You are the phone support of {{shop_name}}.',
) {
  const created = await client.POST('/agents', { body: { name: 'Northwind', prompt, connector } });
  expect(created.response.status).toBe(200);
  return created.data!.response.id;
}

async function caseOf(body: Omit<CaseIn, 'name' | 'success_criteria' | 'call_success_type'> & Partial<CaseIn>, client = api) {
  const created = await client.POST('/simulation_cases', {
    body: { name: 'Case', success_criteria: ['The caller is helped'], call_success_type: 'all', ...body } as CaseIn,
  });
  expect(created.response.status).toBe(200);
  return created.data!.response.simulation_case;
}

async function run(
  caseId: string,
  agentId: string,
  extra: { max_turns?: number; custom_variables?: Record<string, unknown> } = {},
  client = api,
): Promise<Simulation> {
  const started = await client.POST('/simulations', { body: { simulation_case_id: caseId, target_agent_id: agentId, ...extra } });
  expect(started.response.status).toBe(200);
  return finished(started.data!.response.simulation_id, client);
}

const orderStatus: Omit<CaseIn, 'name'> = {
  prompt: 'You want to know where your order 12345 is.',
  caller_turns: ['Hi, where is my order?', "It's 12345.", "No, that's all. Thank you, goodbye. [END_CALL]"],
  success_criteria: ['The agent says when the order arrives'],
  call_success_type: 'any',
  checks: [
    { kind: 'tool_called', name: 'lookup_order', arguments: { order_id: 12345 } },
    { kind: 'contains', text: 'dhl-88431', side: 'agent' },
    { kind: 'ended_by', side: 'persona' },
    { kind: 'turns_at_most', max: 3 },
    { kind: 'matches', pattern: 'calm down', flags: 'i', negate: true, description: 'never says calm down' },
  ],
};

describe('conversations with the builtin agent', () => {
  it('takes turns, records the timeline and tool calls, judges checks exactly and keeps the case copy', async () => {
    const agentId = await agent();
    const c = await caseOf({ name: 'Order status', ...orderStatus });
    expect(c).toMatchObject({ checks: orderStatus.checks, caller_turns: orderStatus.caller_turns });
    const s = await run(c.simulation_case_id, agentId);
    expect(s.status).toBe('completed');
    expect(s.error_info).toBeNull();
    expect(s.started_at).not.toBeNull();
    expect(s.finished_at).not.toBeNull();
    const timeline = s.timeline!;
    // The agent answers first (its greeting), then persona and agent alternate; the lookup comes before the reply.
    expect(timeline[0]).toMatchObject({ sender_type: 'agent', type: 'message' });
    const messages = timeline.filter((t) => t.type === 'message').map((t) => t.sender_type);
    expect(messages).toEqual(['agent', 'persona', 'agent', 'persona', 'agent', 'persona']);
    const lookup = timeline.findIndex((t) => t.type === 'tool_call');
    expect(timeline[lookup]!.value).toBe('lookup_order {"order_id":"12345"}');
    expect(timeline[lookup + 1]).toMatchObject({ sender_type: 'agent', type: 'message' });
    expect(timeline.at(-1)).toMatchObject({ sender_type: 'persona', type: 'end_call' });
    for (const t of timeline) expect(t.timestamp).toMatch(/^\d+\.\d{3}$/);

    const evaluations = s.success_criteria_analysis!.evaluations;
    expect(evaluations.map((e) => e.verdict)).toEqual(['not_evaluated', 'passed', 'passed', 'passed', 'passed', 'passed']);
    expect(evaluations[0]).toMatchObject({
      success: false,
      criterion: 'The agent says when the order arrives',
      reasoning: expect.stringMatching(/judge/i),
    });
    expect(evaluations[5]!.criterion).toBe('never says calm down');
    expect(s.success_criteria_analysis!.success).toBe(true);
  });

  it('follows call_success_type: all fails on an unjudged criterion, any passes on one passed check', async () => {
    const agentId = await agent();
    const all = await caseOf({ ...orderStatus, call_success_type: 'all' });
    const any = await caseOf({
      ...orderStatus,
      call_success_type: 'any',
      checks: [
        { kind: 'contains', text: 'no such words' },
        { kind: 'ended_by', side: 'persona' },
      ],
    });
    const none = await caseOf({ ...orderStatus, call_success_type: 'any', checks: [{ kind: 'ended_by', side: 'agent' }] });
    const [a, b, c] = await Promise.all([
      run(all.simulation_case_id, agentId),
      run(any.simulation_case_id, agentId),
      run(none.simulation_case_id, agentId),
    ]);
    expect(a.success_criteria_analysis!.success).toBe(false);
    expect(b.success_criteria_analysis!.success).toBe(true);
    expect(b.success_criteria_analysis!.evaluations.map((e) => e.verdict)).toEqual(['not_evaluated', 'failed', 'passed']);
    expect(c.success_criteria_analysis!.success).toBe(false);
  });

  it('ends at max_turns with a system event', async () => {
    const agentId = await agent();
    const chatty = await caseOf({
      prompt: 'You never stop asking.',
      caller_turns: Array.from({ length: 14 }, (_, i) => `What about order ${10000 + i}?`),
      checks: [
        { kind: 'ended_by', side: 'max_turns' },
        { kind: 'turns_at_most', max: 10 },
      ],
    });
    const s = await run(chatty.simulation_case_id, agentId, { max_turns: 10 });
    expect(s).toMatchObject({ status: 'completed', max_turns: 10 });
    expect(s.timeline!.filter((t) => t.sender_type === 'persona' && t.type === 'message')).toHaveLength(10);
    expect(s.timeline!.at(-1)).toMatchObject({ sender_type: 'system', type: 'end_call' });
    expect(s.success_criteria_analysis!.evaluations.slice(1).map((e) => e.verdict)).toEqual(['passed', 'passed']);
  });

  it('lets the agent end the call (handover) and derives the caller from the prompt when there is no script', async () => {
    const agentId = await agent();
    const handover = await caseOf({
      prompt: 'You want to speak to a person.',
      caller_turns: ['Can I talk to a human, please?'],
      checks: [
        { kind: 'ended_by', side: 'agent' },
        { kind: 'tool_called', name: 'transfer_call' },
      ],
    });
    const hours = await caseOf({
      prompt: 'You are Sam. You want to know the opening hours of the support line.',
      checks: [
        { kind: 'matches', pattern: '\\d{1,2} ?am to \\d{1,2} ?pm', side: 'agent' },
        { kind: 'ended_by', side: 'persona' },
      ],
    });
    const [h, o] = await Promise.all([run(handover.simulation_case_id, agentId), run(hours.simulation_case_id, agentId)]);
    expect(h.timeline!.at(-1)).toMatchObject({ sender_type: 'agent', type: 'end_call' });
    expect(h.success_criteria_analysis!.evaluations.slice(1).map((e) => e.verdict)).toEqual(['passed', 'passed']);
    expect(o.timeline!.find((t) => t.sender_type === 'persona')!.value).toMatch(/opening hours/i);
    expect(o.success_criteria_analysis!.evaluations.slice(1).map((e) => e.verdict)).toEqual(['passed', 'passed']);
  });

  it('substitutes custom_variables into the caller turns and the agent prompt', async () => {
    const hook = await startWebhookAgent((turn) => ({
      json: {
        reply: turn.conversation.length ? `You said: ${turn.conversation.at(-1)!.content}` : 'Hello',
        end_call: turn.conversation.length >= 2,
      },
    }));
    try {
      const local = await startTestServer({ engineConfig: { allowPrivateNetworks: true } });
      const client = apiClient(local.url, local.key);
      try {
        const agentId = await agent(
          { kind: 'http', url: hook.url, headers: { 'X-Agent-Token': 'secret-token' }, timeout_ms: 5000 },
          client,
        );
        const read = (await client.GET('/agents/{agent_id}', { params: { path: { agent_id: agentId } } })).data!.response;
        expect(read.connector).toEqual({ kind: 'http', url: hook.url, header_names: ['X-Agent-Token'], timeout_ms: 5000 });
        const c = await caseOf(
          {
            prompt: 'Order {{order_id}}',
            caller_turns: ['My order is {{order_id}}, {{ name }}.'],
            checks: [{ kind: 'contains', text: 'You said: My order is 4711, Dana.' }],
          },
          client,
        );
        const s = await run(c.simulation_case_id, agentId, { custom_variables: { order_id: 4711, name: 'Dana' } }, client);
        expect(s.status).toBe('completed');
        expect(s.success_criteria_analysis!.evaluations[1]!.verdict).toBe('passed');
        expect(hook.received[0]).toMatchObject({
          simulation_id: s.simulation_id,
          agent_id: agentId,
          conversation: [],
          custom_variables: { order_id: 4711, name: 'Dana' },
        });
        expect(hook.headers[0]!['x-agent-token']).toBe('secret-token');
      } finally {
        await local.stop();
      }
    } finally {
      await hook.stop();
    }
  });
});

describe('failures become failed simulations with error_info', () => {
  it('times out a conversation (408) and keeps the partial timeline', async () => {
    const slow = await startTestServer({ engineConfig: { timeoutMs: 300 } });
    const client = apiClient(slow.url, slow.key);
    try {
      const agentId = await agent({ kind: 'builtin', latency_ms: 10_000 }, client);
      const c = await caseOf({ prompt: 'Hi', caller_turns: ['Hello?'] }, client);
      const s = await run(c.simulation_case_id, agentId, {}, client);
      expect(s).toMatchObject({ status: 'failed', success_criteria_analysis: null, error_info: { code: 408, type: 'timeout' } });
      expect(s.finished_at).not.toBeNull();
    } finally {
      await slow.stop();
    }
  });

  it('fails on malformed, failing and unreachable webhook agents (424) and the runner keeps going', async () => {
    const hook = await startWebhookAgent((turn) => {
      const mode = String(turn.custom_variables.mode);
      if (mode === 'malformed') return { status: 200, body: '{"reply": 42}' };
      if (mode === 'error') return { status: 500, body: '{}' };
      return { json: { reply: 'Fine, bye.', end_call: true } };
    });
    const local = await startTestServer({ engineConfig: { allowPrivateNetworks: true, concurrency: 1 } });
    const client = apiClient(local.url, local.key);
    try {
      const agentId = await agent({ kind: 'http', url: hook.url }, client);
      const c = await caseOf({ prompt: 'Hi', caller_turns: ['Hello?'] }, client);
      const malformed = await run(c.simulation_case_id, agentId, { custom_variables: { mode: 'malformed' } }, client);
      expect(malformed.error_info).toMatchObject({ code: 424, type: 'agent_malformed_reply' });
      const failing = await run(c.simulation_case_id, agentId, { custom_variables: { mode: 'error' } }, client);
      expect(failing.error_info).toMatchObject({ code: 424, type: 'agent_http_error' });
      const ok = await run(c.simulation_case_id, agentId, { custom_variables: { mode: 'ok' } }, client);
      expect(ok.status).toBe('completed');
      await hook.stop();
      const gone = await run(c.simulation_case_id, agentId, { custom_variables: { mode: 'ok' } }, client);
      expect(gone.error_info).toMatchObject({ code: 424, type: 'agent_unreachable' });
      expect(gone.timeline!.at(-1)).toMatchObject({ sender_type: 'system', type: 'error' });
    } finally {
      await local.stop();
      await hook.stop();
    }
  });

  it('refuses private and metadata addresses unless the operator allows private networks (422)', async () => {
    for (const url of [
      'http://127.0.0.1:9/turn',
      'http://10.1.2.3/turn',
      'http://169.254.169.254/latest',
      'http://metadata.google.internal/x',
      'ftp://example.org/x',
    ]) {
      const refused = await api.POST('/agents', { body: { name: 'A', prompt: 'p', connector: { kind: 'http', url } } });
      expect(refused.response.status, url).toBe(422);
      expect(refused.error!.error.details![0]).toMatchObject({ location: 'body', field: '/connector/url' });
    }
    const openai = await api.POST('/agents', {
      body: { name: 'A', prompt: 'p', connector: { kind: 'openai', base_url: 'http://192.168.0.10/v1', model: 'm', api_key: 'k' } },
    });
    expect(openai.error!.error.details![0]).toMatchObject({ field: '/connector/base_url' });
    const id = await agent();
    const update = await api.PUT('/agents/{agent_id}', {
      params: { path: { agent_id: id } },
      body: { connector: { kind: 'http', url: 'http://[::1]:8080/turn' } },
    });
    expect(update.response.status).toBe(422);
    // Public addresses are accepted; secrets are never read back.
    const ok = await api.POST('/agents', {
      body: {
        name: 'A',
        prompt: 'p',
        connector: { kind: 'openai', base_url: 'https://llm.example.org/v1', model: 'm', api_key: 'sk-secret' },
      },
    });
    expect(ok.data!.response.connector).toEqual({
      kind: 'openai',
      base_url: 'https://llm.example.org/v1',
      model: 'm',
      api_key_set: true,
      timeout_ms: null,
      // Issue 14: reads answer the tools (none) and the rounds they may take (the spec's default).
      tools: [],
      max_tool_rounds: 3,
    });
    expect(JSON.stringify(ok.data)).not.toContain('sk-secret');
  });

  it('fails a run whose agent was deleted while it was queued (424 agent_not_found)', async () => {
    const queued = await startTestServer({ engine: () => new QueueOnlyEngine() });
    const dataDir = queued.dataDir;
    const client = apiClient(queued.url, queued.key);
    const agentId = await agent({ kind: 'builtin' }, client);
    const c = await caseOf({ prompt: 'Hi', caller_turns: ['Hello?'] }, client);
    const started = (await client.POST('/simulations', { body: { simulation_case_id: c.simulation_case_id, target_agent_id: agentId } }))
      .data!.response;
    await client.DELETE('/agents/{agent_id}', { params: { path: { agent_id: agentId } } });
    await queued.stop();
    const real = await startTestServer({ dataDir });
    try {
      const s = await finished(started.simulation_id, apiClient(real.url, queued.key));
      expect(s.error_info).toMatchObject({ code: 424, type: 'agent_not_found' });
    } finally {
      await real.stop();
    }
  });
});

describe('progress while running', () => {
  it('shows the timeline turn by turn and live session counters, and interrupts running calls on shutdown (503)', async () => {
    const hold = gate();
    const hook = await startWebhookAgent(async (turn) => {
      if (turn.conversation.length === 0) return { json: { reply: 'Hello, Northwind here.' } };
      if (String(turn.custom_variables.hold) === 'yes') await hold.promise;
      return { json: { reply: 'Done, goodbye.', end_call: true } };
    });
    const local = await startTestServer({ engineConfig: { allowPrivateNetworks: true, concurrency: 4 } });
    const client = apiClient(local.url, local.key);
    try {
      const agentId = await agent({ kind: 'http', url: hook.url }, client);
      const c = await caseOf({ prompt: 'Hi', caller_turns: ['I need help.'] }, client);
      const quick = await run(c.simulation_case_id, agentId, { custom_variables: { hold: 'no' } }, client);
      const held = (
        await client.POST('/simulations', {
          body: {
            simulation_case_id: c.simulation_case_id,
            target_agent_id: agentId,
            simulation_session_id: quick.simulation_session_id,
            custom_variables: { hold: 'yes' },
          },
        })
      ).data!.response;
      // The agent is holding its second answer: the greeting and the caller's message are already visible.
      const running = await until(
        () => getSimulation(held.simulation_id, client),
        (s) => (s.timeline ?? []).length >= 2,
        'a partial timeline',
      );
      expect(running).toMatchObject({ status: 'in-progress', finished_at: null });
      expect(running.started_at).not.toBeNull();
      expect(running.timeline!.map((t) => t.value)).toEqual(['Hello, Northwind here.', 'I need help.']);
      const session = (
        await client.GET('/simulations/session/{simulation_session_id}', {
          params: { path: { simulation_session_id: quick.simulation_session_id } },
        })
      ).data!.response;
      expect(session).toMatchObject({ total_simulations: 2, completed_simulations: 1, failed_simulations: 0, pending_simulations: 1 });

      // A graceful stop aborts the held conversation and records it; nothing stays in progress.
      await local.stop();
      const after = await startTestServer({ dataDir: local.dataDir, engine: () => new QueueOnlyEngine() });
      try {
        const s = await getSimulation(held.simulation_id, apiClient(after.url, local.key));
        expect(s).toMatchObject({ status: 'failed', error_info: { code: 503, type: 'interrupted' } });
        expect(s.timeline!.slice(0, 2).map((t) => t.value)).toEqual(['Hello, Northwind here.', 'I need help.']);
      } finally {
        await after.stop();
      }
    } finally {
      hold.open();
      await hook.stop();
    }
  });
});

describe('suites and generation', () => {
  it('runs a suite in parallel to the end: passing and failing verdicts', async () => {
    const agentId = await agent();
    const suite = (await api.POST('/simulation_suites', { body: { name: 'Suite', model_id: agentId } })).data!.response;
    await caseOf({ ...orderStatus, name: 'passes', suite_id: suite.id });
    await caseOf({
      ...orderStatus,
      name: 'fails',
      call_success_type: 'all',
      suite_id: suite.id,
      checks: [{ kind: 'tool_called', name: 'create_refund' }],
    });
    await caseOf({
      ...orderStatus,
      name: 'hits the limit',
      suite_id: suite.id,
      caller_turns: Array.from({ length: 12 }, (_, i) => `What about order ${20000 + i}?`),
      checks: [{ kind: 'turns_at_most', max: 3 }],
    });
    const executed = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suite.id }, query: { target_agent_id: agentId, max_turns: 10 } },
      })
    ).data!;
    const session = await until(
      async () =>
        (
          await api.GET('/simulations/session/{simulation_session_id}', {
            params: { path: { simulation_session_id: executed.session_id } },
          })
        ).data!.response,
      (s) => s.pending_simulations === 0,
      'the session',
    );
    expect(session).toMatchObject({ total_simulations: 3, completed_simulations: 3, failed_simulations: 0 });
    const outcome = Object.fromEntries(session.simulations.map((s) => [s.simulation_case_name, s.success_criteria_analysis!.success]));
    expect(outcome).toEqual({ passes: true, fails: false, 'hits the limit': false });
  });

  it('streams generated cases as NDJSON, saves them with checks and caller turns, and runs them', async () => {
    const agentId = await agent(
      { kind: 'builtin' },
      api,
      'You are the phone line of a shop. Callers ask about the status of their order, cancel orders and ask for opening hours.',
    );
    const suite = (await api.POST('/simulation_suites', { body: { name: 'Generated', model_id: agentId } })).data!.response;
    const response = await fetch(`${server.url}/simulation_cases/generate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        agent_id: agentId,
        suite_id: suite.id,
        include_tests: ['task_completion', 'script_compliance', 'csat_score'],
        scenario_ids: [],
      }),
    });
    expect(response.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as components['schemas']['SimulationCaseGenerateEvent']);
    expect(lines[0]).toMatchObject({ type: 'progress', completed: 0, total: 3 });
    const cases = lines.flatMap((l) => (l.type === 'case' ? [l] : []));
    expect(cases.map((c) => c.category)).toEqual(['task_completion', 'script_compliance', 'csat_score']);
    const done = lines.at(-1)!;
    expect(done).toEqual({ type: 'done', simulation_case_ids: cases.map((c) => c.simulation_case.simulation_case_id) });
    for (const c of cases) {
      expect(c.simulation_case.suite_id).toBe(suite.id);
      expect(c.simulation_case.checks!.length).toBeGreaterThan(0);
      expect(c.simulation_case.caller_turns!.length).toBeGreaterThan(0);
    }
    const stored = (await api.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: suite.id } } })).data!.response.cases;
    expect(stored.map((c) => c.simulation_case_id)).toEqual(cases.map((c) => c.simulation_case.simulation_case_id));
    const executed = (
      await api.POST('/simulation_suites/{suite_id}/execute', {
        params: { path: { suite_id: suite.id }, query: { target_agent_id: agentId } },
      })
    ).data!;
    const session = await until(
      async () =>
        (
          await api.GET('/simulations/session/{simulation_session_id}', {
            params: { path: { simulation_session_id: executed.session_id } },
          })
        ).data!.response,
      (s) => s.pending_simulations === 0,
      'the generated suite',
    );
    expect(session.completed_simulations).toBe(3);
    for (const s of session.simulations) expect(s.success_criteria_analysis!.evaluations.some((e) => e.verdict === 'passed')).toBe(true);
  });
});
