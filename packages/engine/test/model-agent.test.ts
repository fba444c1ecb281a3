import { modelAnswers, startModelFixture, type ModelFixture, type ModelRequest } from '@sims/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { runSimulation, type Agent, type AgentTool, type CaseSnapshot, type LlmConfig, type OpenAiConnector } from '../src/index.js';
import { lines, makeCase, shopAgent } from './helpers.js';

/**
 * Model-backed roles in whole simulations against the model fixture: `openai` agents calling tools
 * answered by the case's mocks, the error each provider failure becomes, and the usage per role.
 */
const fixtures: ModelFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});
async function fixture(respond?: (request: ModelRequest) => ReturnType<typeof modelAnswers.text>) {
  const f = await startModelFixture(respond ? { respond } : {});
  fixtures.push(f);
  return f;
}

const allow = { allowPrivateNetworks: true };
const lookupOrder: AgentTool = {
  name: 'lookup_order',
  description: 'Looks an order up by its number.',
  parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
};
const modelAgent = (m: ModelFixture, extra: Partial<OpenAiConnector> = {}): Agent => ({
  id: 'agent-model',
  name: 'Model agent',
  prompt: 'You are the support agent of Northwind.',
  connector: { kind: 'openai', base_url: m.url, model: 'agent-model', api_key: 'sk-agent-key', tools: [lookupOrder], ...extra },
});
const orderCase = (extra: Partial<CaseSnapshot> = {}): CaseSnapshot =>
  makeCase({
    prompt: 'You ask where order 12345 is.',
    caller_turns: ['Where is order 12345?'],
    tool_mocks: [
      { name: 'lookup_order', arguments: { order_id: 12345 }, result: { status: 'shipped', delivery: 'Thursday' } },
      { name: 'lookup_order', result: { error: 'order not found' } },
    ],
    checks: [{ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '12345' } }],
    ...extra,
  });

describe('openai agents with tools and tool mocks', () => {
  it('answers a call from the mock whose arguments match, records call and result in order, and the check passes', async () => {
    const m = await fixture();
    m.queue(
      modelAnswers.text('Northwind support, how can I help?'),
      modelAnswers.toolCalls({ name: 'lookup_order', arguments: { order_id: '12345' } }),
      modelAnswers.text('Your order has shipped and arrives on Thursday. Goodbye! [END_CALL]'),
    );
    const result = await runSimulation({ case: orderCase(), agent: modelAgent(m), network: allow });
    expect(result.error_info).toBeUndefined();
    expect(lines(result.timeline)).toEqual([
      'agent message: Northwind support, how can I help?',
      'persona message: Where is order 12345?',
      'agent tool_call: lookup_order {"order_id":"12345"}',
      'system tool_result: {"status":"shipped","delivery":"Thursday"}',
      'agent message: Your order has shipped and arrives on Thursday. Goodbye!',
      'agent end_call: The agent ended the call.',
    ]);
    expect(result.analysis).toEqual({
      success: true,
      evaluations: [expect.objectContaining({ verdict: 'passed', reasoning: 'The agent called lookup_order {"order_id":"12345"}.' })],
    });
    expect(m.requests[0]!.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'lookup_order',
          description: 'Looks an order up by its number.',
          parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
        },
      },
    ]);
    const followUp = m.requests[2]!.body.messages.slice(-2);
    expect(followUp).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_2_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"12345"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_2_1', content: '{"status":"shipped","delivery":"Thursday"}' },
    ]);
    expect(result.usage.agent.calls).toBe(3);
  });

  it.each([
    [
      'the default mock when no arguments match',
      { name: 'lookup_order', arguments: { order_id: '99999' } },
      'lookup_order {"order_id":"99999"}',
      '{"error":"order not found"}',
    ],
    [
      'a clear "no mock" result for a tool without one',
      { name: 'cancel_order', arguments: { order_id: '12345' } },
      'cancel_order {"order_id":"12345"}',
      '{"error":"no mock for tool cancel_order"}',
    ],
    ['a string result as it is', { name: 'opening_hours', arguments: {} }, 'opening_hours {}', 'Mon-Fri 9-17'],
  ])('answers with %s', async (_label, call, recorded, answered) => {
    const m = await fixture();
    m.queue(modelAnswers.text('Hello?'), modelAnswers.toolCalls(call), modelAnswers.text('Let me see. Bye. [END_CALL]'));
    const snapshot = orderCase();
    snapshot.tool_mocks = [...snapshot.tool_mocks!, { name: 'opening_hours', result: 'Mon-Fri 9-17' }];
    const result = await runSimulation({ case: snapshot, agent: modelAgent(m), network: allow });
    expect(lines(result.timeline).slice(2, 4)).toEqual([`agent tool_call: ${recorded}`, `system tool_result: ${answered}`]);
    expect(m.requests[2]!.body.messages.at(-1)).toMatchObject({ role: 'tool', content: answered });
  });

  it('records a call with malformed JSON arguments as {} and answers the model with an error quoting them; the run goes on', async () => {
    const m = await fixture();
    m.queue(
      modelAnswers.text('Hello?'),
      modelAnswers.malformedToolCall('lookup_order'),
      modelAnswers.text('Sorry, one moment. Bye. [END_CALL]'),
    );
    const result = await runSimulation({ case: orderCase(), agent: modelAgent(m), network: allow });
    expect(result.error_info).toBeUndefined();
    expect(lines(result.timeline).slice(2, 5)).toEqual([
      'agent tool_call: lookup_order {}',
      'system tool_result: {"error":"the arguments of lookup_order are not valid JSON: {\\"order_id\\": \\"12"}',
      'agent message: Sorry, one moment. Bye.',
    ]);
    expect(result.analysis!.evaluations[0]!.verdict).toBe('failed');
  });

  it('answers every call of a round, then asks once more without tools after max_tool_rounds', async () => {
    const m = await fixture((request) =>
      request.body.tools
        ? modelAnswers.toolCalls({ name: 'lookup_order', arguments: { order_id: '12345' } }, { name: 'cancel_order', arguments: {} })
        : modelAnswers.text('I could not finish that. [END_CALL]'),
    );
    const result = await runSimulation({
      case: orderCase({ caller_turns: [] }),
      agent: modelAgent(m, { max_tool_rounds: 2 }),
      network: allow,
    });
    expect(result.error_info).toBeUndefined();
    expect(m.requests.map((r) => Boolean(r.body.tools))).toEqual([true, true, false]);
    expect(lines(result.timeline).filter((l) => l.startsWith('agent tool_call'))).toEqual([
      'agent tool_call: lookup_order {"order_id":"12345"}',
      'agent tool_call: cancel_order {}',
      'agent tool_call: lookup_order {"order_id":"12345"}',
      'agent tool_call: cancel_order {}',
    ]);
    expect(lines(result.timeline).at(-2)).toBe('agent message: I could not finish that.');
    expect(m.requests[2]!.body.messages.filter((msg: { role: string }) => msg.role === 'tool')).toHaveLength(4);
  });

  it('fails the turn as agent_malformed_reply when the model still calls tools after the last round and says nothing', async () => {
    const m = await fixture(() => modelAnswers.toolCalls({ name: 'lookup_order', arguments: { order_id: '1' } }));
    const result = await runSimulation({ case: orderCase(), agent: modelAgent(m, { max_tool_rounds: 1 }), network: allow });
    expect(result.error_info).toMatchObject({
      code: 424,
      type: 'agent_malformed_reply',
      message: 'agent model still called tools after 1 rounds of tool calls, and said nothing',
    });
  });

  it('sends no tools for an agent without them', async () => {
    const m = await fixture(() => modelAnswers.text('Hello. Bye. [END_CALL]'));
    await runSimulation({ case: orderCase(), agent: modelAgent(m, { tools: [] }), network: allow });
    expect(m.requests[0]!.body).not.toHaveProperty('tools');
  });

  it('leaves tool mocks to openai agents: the builtin runs its own tools and gets no tool_result', async () => {
    const result = await runSimulation({ case: orderCase(), agent: shopAgent });
    expect(lines(result.timeline).some((l) => l.startsWith('agent tool_call: lookup_order'))).toBe(true);
    expect(lines(result.timeline).some((l) => l.startsWith('system tool_result'))).toBe(false);
  });
});

describe('what model failures become', () => {
  it.each([
    [
      'a 500 after the retries',
      () => modelAnswers.serverError(),
      {},
      { type: 'agent_http_error', message: /^agent model: HTTP 500: .*\(3 attempts\)$/ },
    ],
    [
      'an answer after the time-out',
      () => modelAnswers.slow(5_000, modelAnswers.text('late')),
      { timeout_ms: 100 },
      { type: 'agent_timeout', message: /^agent model: no answer within 100 ms \(3 attempts\)$/ },
    ],
    [
      'a refusal',
      () => modelAnswers.refusal('I will not role-play this.'),
      {},
      { type: 'agent_malformed_reply', message: /^agent model refused to answer: I will not role-play this\.$/ },
    ],
    [
      'empty content',
      () => modelAnswers.empty(),
      {},
      { type: 'agent_malformed_reply', message: /^agent model answered an empty message$/ },
    ],
    [
      'a wrong key',
      () => ({ status: 401, body: { error: { message: 'Incorrect API key provided: sk-agent-key' } } }),
      {},
      { type: 'agent_http_error', message: /^agent model: HTTP 401: Incorrect API key provided: \[redacted\]$/ },
    ],
  ] as const)('an openai agent: %s', async (_label, answer, extra, info) => {
    const m = await fixture(answer as () => ReturnType<typeof modelAnswers.text>);
    const result = await runSimulation({ case: orderCase(), agent: modelAgent(m, extra), network: allow });
    expect(result.error_info).toMatchObject({ code: 424, type: info.type, message: expect.stringMatching(info.message) });
    expect(result.usage.agent.calls).toBe(m.requests.length);
  });

  it('an openai agent retries a 429 after its Retry-After and goes on', async () => {
    const m = await fixture();
    m.queue(modelAnswers.rateLimited(0.05), modelAnswers.text('Hello! Bye. [END_CALL]'));
    const result = await runSimulation({ case: orderCase(), agent: modelAgent(m), network: allow });
    expect(result.error_info).toBeUndefined();
    expect(result.usage.agent.calls).toBe(2);
  });

  it('an openai agent whose server is down is agent_unreachable', async () => {
    const m = await fixture();
    const agent = modelAgent(m);
    await m.close();
    const result = await runSimulation({ case: orderCase(), agent, network: allow });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_unreachable' });
  });

  it.each([
    ['a cloud metadata address', 'http://169.254.169.254/v1', allow],
    ['a link-local address', 'http://169.254.10.10/v1', allow],
    ['loopback without allowPrivateNetworks', 'http://127.0.0.1:9/v1', {}],
    ['a private address without allowPrivateNetworks', 'http://10.0.0.8/v1', {}],
  ])('the URL guard refuses an openai agent at %s before any request', async (_label, base_url, network) => {
    const agent: Agent = { ...shopAgent, connector: { kind: 'openai', base_url, model: 'm' } };
    const result = await runSimulation({ case: orderCase(), agent, network });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_url_refused' });
    expect(result.usage.agent.calls).toBe(0);
  });

  it('the persona model: a 429 is retried, a 500 after the retries is persona_error naming the status', async () => {
    const persona = await fixture();
    persona.queue(modelAnswers.rateLimited(0.05), modelAnswers.text('Hi, where is my order?'));
    persona.respondWith(() => modelAnswers.serverError());
    const llm: LlmConfig = { base_url: persona.url, model: 'persona-model', max_retries: 1 };
    const result = await runSimulation({ case: makeCase(), agent: shopAgent, llm: { persona: llm } });
    expect(result.error_info).toMatchObject({
      code: 500,
      type: 'persona_error',
      message: expect.stringMatching(/^persona model failed: HTTP 500: .*\(2 attempts\)$/),
    });
    expect(lines(result.timeline)[1]).toBe('persona message: Hi, where is my order?');
    expect(result.usage.persona.calls).toBe(4);
  });

  it('the persona model: empty content is persona_error', async () => {
    const persona = await fixture(() => modelAnswers.empty());
    const result = await runSimulation({ case: makeCase(), agent: shopAgent, llm: { persona: { base_url: persona.url, model: 'p' } } });
    expect(result.error_info).toMatchObject({ code: 500, type: 'persona_error', message: 'persona model answered an empty message' });
  });
});

describe('usage per role', () => {
  it('counts the calls and the provider tokens of persona, agent and judge, and their total', async () => {
    const persona = await fixture();
    persona.queue(modelAnswers.text('Where is order 12345?'), modelAnswers.text('Thanks, bye. [END_CALL]'));
    const agent = await fixture();
    agent.queue(
      modelAnswers.text('Northwind support.'),
      modelAnswers.toolCalls({ name: 'lookup_order', arguments: { order_id: '12345' } }),
      modelAnswers.text('It arrives on Thursday.'),
    );
    const judgeModel = await fixture(() => modelAnswers.json({ reasoning: 'Thursday was given.', success: true }));
    const result = await runSimulation({
      case: orderCase({ caller_turns: [], success_criteria: ['The agent gives the delivery day'] }),
      agent: modelAgent(agent),
      network: allow,
      llm: { persona: { base_url: persona.url, model: 'p' }, judge: { base_url: judgeModel.url, model: 'j' } },
    });
    expect(result.error_info).toBeUndefined();
    expect(result.analysis!.success).toBe(true);
    const counted = (f: ModelFixture) => ({
      calls: f.requests.length,
      prompt_tokens: f.usage.prompt_tokens,
      completion_tokens: f.usage.completion_tokens,
    });
    expect([persona, agent, judgeModel].map((f) => f.requests.length)).toEqual([2, 3, 1]);
    expect(result.usage.persona).toMatchObject(counted(persona));
    expect(result.usage.agent).toMatchObject(counted(agent));
    expect(result.usage.judge).toMatchObject(counted(judgeModel));
    expect(result.usage.persona.prompt_tokens).toBeGreaterThan(0);
    const { persona: p, agent: a, judge: j, total } = result.usage;
    expect(total).toEqual({
      calls: p.calls + a.calls + j.calls,
      prompt_tokens: p.prompt_tokens + a.prompt_tokens + j.prompt_tokens,
      completion_tokens: p.completion_tokens + a.completion_tokens + j.completion_tokens,
      latency_ms: p.latency_ms + a.latency_ms + j.latency_ms,
    });
  });

  it('counts nothing for offline roles', async () => {
    const result = await runSimulation({ case: orderCase(), agent: shopAgent });
    const none = { calls: 0, prompt_tokens: 0, completion_tokens: 0, latency_ms: 0 };
    expect(result.usage).toEqual({ persona: none, agent: none, judge: none, total: none });
  });
});
