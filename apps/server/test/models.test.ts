import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '@sims/api-types';
import { type ModelFixture, type ModelRequest, modelAnswers, startModelFixture } from '@sims/testkit';
import { apiClient, type ApiClient, startTestServer, type TestServer } from './support/server.js';

/**
 * Real models through the real server (issue 14): an `openai` agent with tools answered by the case's
 * tool mocks, the judge on what providers really answer (fenced JSON, prose around JSON, a refusal,
 * 429 with Retry-After, 500s, `response_format` refused), time-outs of the agent and of the caller,
 * and the usage the simulation and its session report, checked against the model fixture's own
 * counts. One fixture per role, so that each role's requests and tokens are its own.
 */
type Simulation = components['schemas']['SimulationReadOut'];
type ModelUsage = components['schemas']['ModelUsage'];

let server: TestServer;
let api: ApiClient;
let persona: ModelFixture;
let judge: ModelFixture;
let agentModel: ModelFixture;

beforeAll(async () => {
  [persona, judge, agentModel] = await Promise.all([startModelFixture(), startModelFixture(), startModelFixture()]);
  server = await startTestServer({
    engineConfig: {
      allowPrivateNetworks: true,
      llm: {
        // The caller gives up at once on a slow answer (its time-out test); the judge retries twice.
        persona: { base_url: persona.url, model: 'persona-model', api_key: 'sk-persona', timeout_ms: 300, max_retries: 0 },
        judge: { base_url: judge.url, model: 'judge-model', api_key: 'sk-judge', max_retries: 2 },
      },
    },
  });
  api = apiClient(server.url, server.key);
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([persona, judge, agentModel].map((fixture) => fixture?.close()));
});

/** What a role's fixture counted over some requests: the calls and the tokens it reported. */
function counted(fixture: ModelFixture, from: number, before: { prompt_tokens: number; completion_tokens: number }) {
  return {
    calls: fixture.requests.length - from,
    prompt_tokens: fixture.usage.prompt_tokens - before.prompt_tokens,
    completion_tokens: fixture.usage.completion_tokens - before.completion_tokens,
  };
}

/** Where each fixture stands, to count what one simulation sent it. */
function mark() {
  const at = (fixture: ModelFixture) => ({ from: fixture.requests.length, before: { ...fixture.usage } });
  const marks = { persona: at(persona), judge: at(judge), agent: at(agentModel) };
  return {
    persona: () => counted(persona, marks.persona.from, marks.persona.before),
    judge: () => counted(judge, marks.judge.from, marks.judge.before),
    agent: () => counted(agentModel, marks.agent.from, marks.agent.before),
    judgeRequests: () => judge.requests.slice(marks.judge.from),
    agentRequests: () => agentModel.requests.slice(marks.agent.from),
  };
}

const withoutLatency = ({ latency_ms: _latency, ...usage }: ModelUsage) => usage;

async function createAgent(body: components['schemas']['AgentCreateIn']) {
  const created = await api.POST('/agents', { body });
  expect(created.response.status, JSON.stringify(created.error)).toBe(200);
  return created.data!.response;
}

async function createCase(body: components['schemas']['SimulationCaseCreateIn']) {
  const created = await api.POST('/simulation_cases', { body });
  expect(created.response.status, JSON.stringify(created.error)).toBe(200);
  return created.data!.response.simulation_case;
}

/** Starts the case against the agent (in `session` when given) and waits for the run to finish. */
async function run(caseId: string, agentId: string, session?: string): Promise<Simulation> {
  const started = await api.POST('/simulations', {
    body: { simulation_case_id: caseId, target_agent_id: agentId, ...(session ? { simulation_session_id: session } : {}) },
  });
  expect(started.response.status, JSON.stringify(started.error)).toBe(200);
  let simulation = started.data!.response;
  for (let i = 0; i < 4000 && simulation.status === 'in-progress'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 15));
    simulation = (await api.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: simulation.simulation_id } } })).data!
      .response;
  }
  expect(simulation.status).not.toBe('in-progress');
  return simulation;
}

const verdict = { reasoning: 'The agent said the shop opens at nine.', success: true };

describe('an openai agent with tools, answered by the case’s tool mocks', () => {
  let toolAgent: Awaited<ReturnType<typeof createAgent>>;
  let toolCase: Awaited<ReturnType<typeof createCase>>;
  let first: Simulation;

  it('stores the tools, reads them back with max_tool_rounds (3 by default), and refuses two tools of one name', async () => {
    const tools = [
      {
        name: 'lookup_order',
        description: 'Finds an order by its id.',
        parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
      },
      { name: 'refund' },
    ];
    toolAgent = await createAgent({
      name: 'Order desk',
      prompt: 'You are the order desk of Acme. Look orders up before answering.',
      connector: { kind: 'openai', base_url: agentModel.url, model: 'agent-model', api_key: 'sk-agent', tools },
    });
    expect(toolAgent.connector).toEqual({
      kind: 'openai',
      base_url: agentModel.url,
      model: 'agent-model',
      api_key_set: true,
      timeout_ms: null,
      tools,
      max_tool_rounds: 3,
    });
    const plain = await createAgent({ name: 'No tools', prompt: 'p', connector: { kind: 'openai', base_url: agentModel.url, model: 'm' } });
    expect(plain.connector).toMatchObject({ tools: [], max_tool_rounds: 3 });
    // The openai branch's defaults are not filled into connectors of another kind (see withoutCompositeDefaults).
    const builtin = await createAgent({ name: 'Builtin', prompt: 'p', connector: { kind: 'builtin' } });
    expect(builtin.connector).toStrictEqual({ kind: 'builtin' });

    const duplicate = await api.POST('/agents', {
      body: {
        name: 'Twice',
        prompt: 'p',
        connector: {
          kind: 'openai',
          base_url: agentModel.url,
          model: 'm',
          tools: [{ name: 'refund' }, { name: 'lookup' }, { name: 'refund' }],
        },
      },
    });
    expect(duplicate.response.status).toBe(422);
    expect(duplicate.error).toMatchObject({
      error: { code: 'validation_failed', details: [expect.objectContaining({ location: 'body', field: '/connector/tools/2/name' })] },
    });
    const updated = await api.PUT('/agents/{agent_id}', {
      params: { path: { agent_id: plain.id } },
      body: {
        connector: { kind: 'openai', base_url: agentModel.url, model: 'm', tools: [{ name: 'a' }, { name: 'a' }], max_tool_rounds: 2 },
      },
    });
    expect(updated.response.status).toBe(422);
    expect(updated.error).toMatchObject({ error: { details: [expect.objectContaining({ field: '/connector/tools/1/name' })] } });
  });

  it('keeps a case’s tool mocks and recorded agent lines: created, read, kept by null, replaced, cleared by []', async () => {
    const mocks = [
      { name: 'lookup_order', arguments: { order_id: 'A-1' }, result: { status: 'shipped', delivery_day: 'Thursday' } },
      { name: 'lookup_order', result: 'no such order' },
    ];
    toolCase = await createCase({
      name: 'Where is my order',
      prompt: 'You ask where order A-1 is.',
      success_criteria: ['The agent gives the delivery day'],
      call_success_type: 'all',
      caller_turns: ['Where is order A-1?', 'Thanks, bye. [END_CALL]'],
      checks: [{ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: 'A-1' } }],
      tool_mocks: mocks,
    });
    expect(toolCase).toMatchObject({ tool_mocks: mocks, expected_agent_turns: [] });
    const id = toolCase.simulation_case_id;
    const put = (body: components['schemas']['SimulationCaseUpdateIn']) =>
      api.PUT('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } }, body });
    expect((await put({ tool_mocks: null, expected_agent_turns: ['Hello!'] })).data!.response).toMatchObject({
      tool_mocks: mocks,
      expected_agent_turns: ['Hello!'],
    });
    expect((await put({ expected_agent_turns: [] })).data!.response).toMatchObject({ tool_mocks: mocks, expected_agent_turns: [] });
    const cleared = await createCase({
      name: 'Cleared',
      prompt: 'p',
      success_criteria: ['x'],
      call_success_type: 'all',
      tool_mocks: mocks,
    });
    await api.PUT('/simulation_cases/{simulation_case_id}', {
      params: { path: { simulation_case_id: cleared.simulation_case_id } },
      body: { tool_mocks: [] },
    });
    const read = await api.GET('/simulation_cases/{simulation_case_id}', {
      params: { path: { simulation_case_id: cleared.simulation_case_id } },
    });
    expect(read.data!.response).toMatchObject({ tool_mocks: [], expected_agent_turns: [] });
  });

  it('records the call and the mock’s answer in the timeline, the tool_called check passes, and usage per role matches the fixtures', async () => {
    const counts = mark();
    agentModel.queue(
      modelAnswers.text('Acme order desk, how can I help?'),
      modelAnswers.toolCalls({ name: 'lookup_order', arguments: { order_id: 'A-1' } }),
      modelAnswers.text('Your order A-1 has shipped and arrives on Thursday.'),
    );
    judge.queue(modelAnswers.fencedJson({ reasoning: 'The agent said the order arrives on Thursday.', success: true }));
    first = await run(toolCase.simulation_case_id, toolAgent.id);

    expect(first.status, JSON.stringify(first.error_info)).toBe('completed');
    expect(first.timeline!.map((t) => [t.sender_type, t.type, t.value])).toEqual([
      ['agent', 'message', 'Acme order desk, how can I help?'],
      ['persona', 'message', 'Where is order A-1?'],
      ['agent', 'tool_call', expect.stringContaining('lookup_order')],
      ['system', 'tool_result', JSON.stringify({ status: 'shipped', delivery_day: 'Thursday' })],
      ['agent', 'message', 'Your order A-1 has shipped and arrives on Thursday.'],
      ['persona', 'message', 'Thanks, bye.'],
      expect.arrayContaining(['end_call']),
    ]);
    expect(first.success_criteria_analysis).toEqual({
      success: true,
      evaluations: [
        {
          success: true,
          verdict: 'passed',
          criterion: 'The agent gives the delivery day',
          reasoning: 'The agent said the order arrives on Thursday.',
        },
        expect.objectContaining({ success: true, verdict: 'passed' }),
      ],
    });
    // The model saw the tools, then the mock's answer to its call.
    const [, calling, answered] = counts.agentRequests();
    expect(calling!.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['lookup_order', 'refund']);
    expect(answered!.body.messages.at(-1)).toMatchObject({
      role: 'tool',
      content: JSON.stringify({ status: 'shipped', delivery_day: 'Thursday' }),
    });
    expect(answered!.headers.authorization).toBe('Bearer sk-agent');

    // Usage per role, as the fixtures counted it: no caller model (scripted), three agent calls, one judge call.
    const usage = first.usage!;
    expect(withoutLatency(usage.persona)).toEqual(counts.persona());
    expect(counts.persona().calls).toBe(0);
    expect(withoutLatency(usage.agent)).toEqual(counts.agent());
    expect(usage.agent.calls).toBe(3);
    expect(withoutLatency(usage.judge)).toEqual(counts.judge());
    expect(usage.judge.calls).toBe(1);
    for (const field of ['calls', 'prompt_tokens', 'completion_tokens', 'latency_ms'] as const)
      expect(usage.total[field]).toBe(usage.persona[field] + usage.agent[field] + usage.judge[field]);
    expect(usage.agent.prompt_tokens).toBeGreaterThan(0);
    expect(first.divergence).toBeNull();
  });

  it('answers a call no mock matches with the name’s default, and one with no mock at all with an error the model reads', async () => {
    const counts = mark();
    agentModel.queue(
      modelAnswers.text('Order desk.'),
      modelAnswers.toolCalls({ name: 'lookup_order', arguments: { order_id: 'Z-9' } }, { name: 'refund', arguments: { order_id: 'Z-9' } }),
      modelAnswers.text('I cannot find that order.'),
    );
    judge.queue(modelAnswers.json({ reasoning: 'No delivery day was given.', success: false }));
    const simulation = await run(toolCase.simulation_case_id, toolAgent.id);
    const events = simulation.timeline!.filter((t) => t.type === 'tool_call' || t.type === 'tool_result').map((t) => [t.type, t.value]);
    expect(events).toEqual([
      ['tool_call', expect.stringContaining('lookup_order')],
      ['tool_result', 'no such order'],
      ['tool_call', expect.stringContaining('refund')],
      ['tool_result', JSON.stringify({ error: 'no mock for tool refund' })],
    ]);
    // The check wants order A-1: not this run.
    expect(simulation.success_criteria_analysis!.evaluations.map((e) => e.verdict)).toEqual(['failed', 'failed']);
    expect(counts.agent().calls).toBe(3);
  });
});

describe('the judge on what providers answer', () => {
  let agentId: string;
  let caseId: string;
  let session: string;
  const judged: Simulation[] = [];

  beforeAll(async () => {
    agentId = (await createAgent({ name: 'Shop', prompt: 'You are the shop.', connector: { kind: 'builtin', latency_ms: 0 } })).id;
    caseId = (
      await createCase({
        name: 'Opening hours',
        prompt: 'You ask when the shop opens.',
        success_criteria: ['The agent gives the opening hours'],
        call_success_type: 'all',
        caller_turns: ['When are you open?', 'Thanks, bye. [END_CALL]'],
      })
    ).simulation_case_id;
  });

  /** Runs the case with the judge answering `answers` in turn; the first run opens the session the others join. */
  async function judgedBy(...answers: Parameters<ModelFixture['queue']>) {
    const counts = mark();
    judge.queue(...answers);
    const simulation = await run(caseId, agentId, session);
    session ??= simulation.simulation_session_id;
    judged.push(simulation);
    return { simulation, evaluation: simulation.success_criteria_analysis!.evaluations[0]!, counts };
  }

  it('reads a verdict in a code fence, and one with prose around it', async () => {
    const fenced = await judgedBy(modelAnswers.fencedJson(verdict));
    expect(fenced.evaluation).toEqual({
      success: true,
      verdict: 'passed',
      criterion: 'The agent gives the opening hours',
      reasoning: verdict.reasoning,
    });
    // Asked for structured output, at temperature 0.
    const [request] = fenced.counts.judgeRequests() as [ModelRequest];
    expect(request.body).toMatchObject({ model: 'judge-model', temperature: 0, response_format: { type: 'json_schema' } });
    expect(request.headers.authorization).toBe('Bearer sk-judge');

    const prose = await judgedBy(modelAnswers.proseJson({ reasoning: 'No hours were given.', success: false }));
    expect(prose.evaluation).toMatchObject({ success: false, verdict: 'failed', reasoning: 'No hours were given.' });
    expect(prose.simulation).toMatchObject({ status: 'completed', success_criteria_analysis: { success: false } });
  });

  it('records a refusal as not evaluated, with the reason; never a guess', async () => {
    const { simulation, evaluation, counts } = await judgedBy(modelAnswers.refusal('I cannot assess this conversation.'));
    expect(evaluation.verdict).toBe('not_evaluated');
    expect(evaluation.success).toBe(false);
    expect(evaluation.reasoning).toContain('refused');
    expect(evaluation.reasoning).toContain('I cannot assess this conversation.');
    expect(simulation.success_criteria_analysis!.success).toBe(false);
    expect(simulation.usage!.judge.calls).toBe(counts.judge().calls);
  });

  it('waits out a 429 with Retry-After and passes; both requests are counted', async () => {
    const { simulation, evaluation, counts } = await judgedBy(modelAnswers.rateLimited(0.05), modelAnswers.json(verdict));
    expect(evaluation.verdict).toBe('passed');
    expect(counts.judge().calls).toBe(2);
    expect(withoutLatency(simulation.usage!.judge)).toEqual(counts.judge());
  });

  it('gives up after the retries of a 500 and says so: not evaluated, every request counted', async () => {
    const { simulation, evaluation, counts } = await judgedBy(
      modelAnswers.serverError(),
      modelAnswers.serverError(),
      modelAnswers.serverError(),
    );
    expect(evaluation.verdict).toBe('not_evaluated');
    expect(evaluation.reasoning).toMatch(/judge failed.*500/);
    // max_retries 2: three requests, no tokens reported.
    expect(counts.judge()).toEqual({ calls: 3, prompt_tokens: 0, completion_tokens: 0 });
    expect(withoutLatency(simulation.usage!.judge)).toEqual(counts.judge());
    expect(simulation.status).toBe('completed');
  });

  it('falls back to plain text when the server refuses response_format, and passes', async () => {
    const { simulation, evaluation, counts } = await judgedBy(modelAnswers.responseFormatRefused(), modelAnswers.fencedJson(verdict));
    expect(evaluation.verdict).toBe('passed');
    const [structured, plain] = counts.judgeRequests();
    expect(structured!.body.response_format).toBeDefined();
    expect(plain!.body.response_format).toBeUndefined();
    expect(withoutLatency(simulation.usage!.judge)).toEqual(counts.judge());
  });

  it('sums the usage of the session’s finished runs, role by role', async () => {
    const read = await api.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: session } } });
    const sessionUsage = read.data!.response.usage!;
    expect(read.data!.response.simulations).toHaveLength(judged.length);
    for (const role of ['persona', 'agent', 'judge', 'total'] as const)
      for (const field of ['calls', 'prompt_tokens', 'completion_tokens', 'latency_ms'] as const)
        expect(sessionUsage[role][field], `${role}.${field}`).toBe(judged.reduce((sum, s) => sum + s.usage![role][field], 0));
    expect(sessionUsage.judge.calls).toBe(1 + 1 + 1 + 2 + 3 + 2);
    expect(sessionUsage.agent.calls).toBe(0);
    // A page of sessions answers the same sums.
    const page = await api.GET('/simulations/sessions', { params: { query: { page_size: 100 } } });
    expect(page.data!.response.items.find((s) => s.simulation_session_id === session)!.usage).toEqual(sessionUsage);
  });
});

describe('time-outs of the model-backed roles', () => {
  it('fails the run when the agent model does not answer in its timeout_ms: 424 agent_timeout, its attempts counted', async () => {
    const slow = await createAgent({
      name: 'Slow model',
      prompt: 'p',
      connector: { kind: 'openai', base_url: agentModel.url, model: 'slow-model', timeout_ms: 100 },
    });
    const scripted = await createCase({
      name: 'Slow',
      prompt: 'p',
      success_criteria: ['The agent greets'],
      call_success_type: 'all',
      caller_turns: ['Hello?'],
    });
    const counts = mark();
    agentModel.respondWith(() => modelAnswers.slow(2_000, modelAnswers.text('Too late.')));
    try {
      const simulation = await run(scripted.simulation_case_id, slow.id);
      expect(simulation.status).toBe('failed');
      expect(simulation.error_info).toMatchObject({ code: 424, type: 'agent_timeout' });
      expect(simulation.error_info!.message).toContain('agent model');
      // The client's retries of a time-out (2) are requests too; nothing was answered, so no tokens and no judge.
      expect(counts.agent()).toEqual({ calls: 3, prompt_tokens: 0, completion_tokens: 0 });
      expect(simulation.usage!.agent.calls).toBe(3);
      expect(simulation.usage!.judge.calls).toBe(0);
    } finally {
      agentModel.respondWith(undefined);
    }
  });

  it('fails the run when the caller model does not answer in time: 500 persona_error naming the time-out', async () => {
    const agentId = (await createAgent({ name: 'Shop 2', prompt: 'p', connector: { kind: 'builtin', latency_ms: 0 } })).id;
    const unscripted = await createCase({
      name: 'Model caller',
      prompt: 'You ask when the shop opens.',
      success_criteria: ['The agent gives the opening hours'],
      call_success_type: 'all',
    });
    const counts = mark();
    persona.queue(modelAnswers.slow(2_000, modelAnswers.text('Hi, when do you open?')));
    const simulation = await run(unscripted.simulation_case_id, agentId);
    expect(simulation.status).toBe('failed');
    expect(simulation.error_info).toMatchObject({ code: 500, type: 'persona_error' });
    expect(simulation.error_info!.message).toBe('persona model failed: no answer within 300 ms');
    expect(counts.persona().calls).toBe(1);
    expect(simulation.usage!.persona).toMatchObject({ calls: 1, prompt_tokens: 0, completion_tokens: 0 });
  });
});
