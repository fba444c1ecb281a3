import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '@sims/api-types';
import { draftSuccessCriteria, type LlmConfig } from '@sims/engine';
import { modelAnswers, startModelFixture, type ModelFixture } from '@sims/testkit';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { apiClient, otherWorkspace, raw, startTestServer, type ApiClient, type TestServer } from './support/server.js';
import { responseProblems } from './support/strict-spec.js';
import { startWebhookAgent } from './support/webhook-agent.js';

/**
 * `importSimulationCase` through the real server (spec/README.md "Replay decisions"): each shape of
 * conversation, the 422s naming the place, and replays of an imported case on the real engine
 * against loopback agents, one saying the recorded lines and one departing from them.
 */
type Schemas = components['schemas'];
type ImportIn = Schemas['SimulationCaseImportIn'];
type Simulation = Schemas['SimulationReadOut'];

const TEXT = `Agent: Thanks for calling Acme, how can I help?
Caller: Hi, where is my order?
Agent: Could you give me the order number?
Caller: It's 12345.
Agent: Order 12345 has shipped and arrives Thursday.
Caller: Great, thanks. Bye!
`;
const CALLER = ['Hi, where is my order?', "It's 12345.", 'Great, thanks. Bye!'];
const AGENT = [
  'Thanks for calling Acme, how can I help?',
  'Could you give me the order number?',
  'Order 12345 has shipped and arrives Thursday.',
];

const MESSAGES = [
  { role: 'system', content: "You are Acme's phone agent." },
  { role: 'assistant', content: 'Thanks for calling Acme, how can I help?' },
  { role: 'user', content: [{ type: 'text', text: 'Where is order 12345?' }] },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"12345"}' } }],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '{"status":"shipped"}' },
  { role: 'assistant', content: 'It has shipped and arrives Thursday.' },
  { role: 'user', content: 'Thanks!' },
  {
    role: 'assistant',
    content: 'Anything else?',
    tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id": "12345"}' } }],
  },
];

let server: TestServer;
let api: ApiClient;
let agentId: string;
let suiteId: string;
let faithful: Awaited<ReturnType<typeof startWebhookAgent>>;
let departing: Awaited<ReturnType<typeof startWebhookAgent>>;

/** The k-th reply (from 0) of a loopback agent: the number of agent lines already in the conversation. */
const replyIndex = (conversation: Array<{ role: string }>) => conversation.filter((m) => m.role === 'agent').length;

beforeAll(async () => {
  faithful = await startWebhookAgent((turn) => ({ json: { reply: AGENT[replyIndex(turn.conversation)] ?? 'Goodbye.', end_call: false } }));
  departing = await startWebhookAgent((turn) => {
    const k = replyIndex(turn.conversation);
    return { json: { reply: k === 2 ? 'Sorry, I cannot find any order with that number.' : (AGENT[k] ?? 'Goodbye.'), end_call: false } };
  });
  server = await startTestServer({ engineConfig: { allowPrivateNetworks: true } });
  api = apiClient(server.url, server.key);
  const agent = await api.POST('/agents', {
    body: { name: 'Acme line', prompt: 'You help.', connector: { kind: 'http', url: faithful.url } },
  });
  agentId = agent.data!.response.id;
  suiteId = (await api.POST('/simulation_suites', { body: { name: 'Replays', model_id: agentId } })).data!.response.id;
});
afterAll(async () => {
  await server?.stop();
  await faithful?.stop();
  await departing?.stop();
});

async function importCase(body: Partial<ImportIn>, headers: Record<string, string> = {}) {
  const answer = await raw(`${server.url}/simulation_cases/import`, {
    method: 'POST',
    key: server.key,
    body: JSON.stringify({ suite_id: suiteId, success_criteria: ['Agent told the caller when the order arrives'], ...body }),
    headers,
  });
  if (answer.status === 201) expect(responseProblems('importSimulationCase', 201, answer.json)).toEqual([]);
  return answer;
}

const details = (answer: Awaited<ReturnType<typeof importCase>>) => {
  expect(answer.status, answer.text).toBe(422);
  expect(answer.json.error.code).toBe('validation_failed');
  return answer.json.error.details as Array<{ location: string; field: string; message: string }>;
};

describe('importSimulationCase: reading each shape', () => {
  it('reads text: the caller lines become caller_turns, the agent lines expected_agent_turns; name and prompt made from them', async () => {
    const answer = await importCase({ conversation: TEXT });
    expect(answer.status, answer.text).toBe(201);
    const { simulation_case, import: summary } = answer.json.response;
    expect(summary).toEqual({ format: 'text', caller_turns: 3, agent_turns: 3, tool_calls: 0, criteria_source: 'given' });
    expect(simulation_case).toMatchObject({
      suite_id: suiteId,
      name: 'Replay: Hi, where is my order?',
      prompt: 'You are the caller of a recorded call. You said: "Hi, where is my order?" / "It\'s 12345." / "Great, thanks. Bye!"',
      type: 'custom',
      success_criteria: ['Agent told the caller when the order arrives'],
      call_success_type: 'all',
      checks: [],
      tool_mocks: [],
      caller_turns: CALLER,
      expected_agent_turns: AGENT,
    });
    // Stored as answered.
    const read = await api.GET('/simulation_cases/{simulation_case_id}', {
      params: { path: { simulation_case_id: simulation_case.simulation_case_id } },
    });
    expect(read.data!.response).toEqual(simulation_case);
  });

  it('reads text starting with the caller (no greeting recorded), with aliases, continuation lines, blank lines and merged turns', async () => {
    const conversation = [
      'user: Hello?',
      '',
      'CALLER:   Is anyone there?',
      'ASSISTANT: Yes, this is Acme.',
      'How can I help?',
      '   ',
      'Caller: My order is late.',
    ].join('\r\n');
    const answer = await importCase({
      conversation,
      name: 'Late order',
      prompt: 'A caller whose order is late.',
      call_success_type: 'any',
    });
    expect(answer.status, answer.text).toBe(201);
    const { simulation_case, import: summary } = answer.json.response;
    expect(summary).toMatchObject({ format: 'text', caller_turns: 2, agent_turns: 1 });
    expect(simulation_case).toMatchObject({
      name: 'Late order',
      prompt: 'A caller whose order is late.',
      call_success_type: 'any',
      caller_turns: ['Hello?\nIs anyone there?', 'My order is late.'],
      expected_agent_turns: ['', 'Yes, this is Acme.\nHow can I help?'],
    });
  });

  it('reads an OpenAI chat log: tool calls become tool_called checks (each distinct call once) and tool replies tool mocks', async () => {
    const answer = await importCase({ conversation: MESSAGES as ImportIn['conversation'] });
    expect(answer.status, answer.text).toBe(201);
    const { simulation_case, import: summary } = answer.json.response;
    expect(summary).toEqual({ format: 'messages', caller_turns: 2, agent_turns: 3, tool_calls: 2, criteria_source: 'given' });
    expect(simulation_case).toMatchObject({
      name: 'Replay: Where is order 12345?',
      caller_turns: ['Where is order 12345?', 'Thanks!'],
      expected_agent_turns: ['Thanks for calling Acme, how can I help?', 'It has shipped and arrives Thursday.', 'Anything else?'],
      checks: [{ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '12345' } }],
      tool_mocks: [{ name: 'lookup_order', arguments: { order_id: '12345' }, result: '{"status":"shipped"}' }],
    });
  });

  it('makes neither checks nor mocks with tool_checks false', async () => {
    const answer = await importCase({ conversation: MESSAGES as ImportIn['conversation'], format: 'messages', tool_checks: false });
    expect(answer.status, answer.text).toBe(201);
    expect(answer.json.response.simulation_case).toMatchObject({ checks: [], tool_mocks: [] });
    expect(answer.json.response.import.tool_calls).toBe(2);
  });

  it('reads a wire timeline: messages, the agent tool calls and their results; other events skipped', async () => {
    const at = '2026-11-30T09:15:00Z';
    const timeline = [
      { sender_type: 'agent', type: 'message', value: 'Acme, how can I help?', timestamp: '0.000', timestamp_datetime: at },
      { sender_type: 'persona', type: 'message', value: 'Where is order 77?', timestamp: '0.5', timestamp_datetime: at },
      { sender_type: 'agent', type: 'tool_call', value: 'lookup_order {"order_id":"77"}', timestamp: '0.6', timestamp_datetime: at },
      { sender_type: 'system', type: 'tool_result', value: '{"status":"lost"}', timestamp: '0.7', timestamp_datetime: at },
      { sender_type: 'agent', type: 'message', value: 'I am afraid it was lost.', timestamp: '0.8', timestamp_datetime: at },
      { sender_type: 'system', type: 'divergence', value: 'Reply 2 departed…', timestamp: '0.8', timestamp_datetime: at },
      { sender_type: 'persona', type: 'message', value: null, timestamp: '0.9', timestamp_datetime: at },
      { sender_type: 'persona', type: 'end_call', value: 'The caller ended the call.', timestamp: '1.0', timestamp_datetime: at },
    ];
    const answer = await importCase({ conversation: timeline });
    expect(answer.status, answer.text).toBe(201);
    const { simulation_case, import: summary } = answer.json.response;
    expect(summary).toEqual({ format: 'timeline', caller_turns: 1, agent_turns: 2, tool_calls: 1, criteria_source: 'given' });
    expect(simulation_case).toMatchObject({
      caller_turns: ['Where is order 77?'],
      expected_agent_turns: ['Acme, how can I help?', 'I am afraid it was lost.'],
      checks: [{ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '77' } }],
      tool_mocks: [{ name: 'lookup_order', arguments: { order_id: '77' }, result: '{"status":"lost"}' }],
    });
  });

  it('answers the first request again for a repeat with the same Idempotency-Key, creating one case', async () => {
    const headers = { 'Idempotency-Key': 'import-once' };
    const first = await importCase({ conversation: TEXT, name: 'Once' }, headers);
    const again = await importCase({ conversation: TEXT, name: 'Once' }, headers);
    expect(again.status).toBe(201);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    const listed = await api.GET('/simulation_cases', { params: { query: { suite_id: suiteId, search: 'Once', page_size: 100 } } });
    expect(listed.data!.response.items.filter((c) => c.name === 'Once')).toHaveLength(1);
  });
});

describe('importSimulationCase: what cannot be read', () => {
  it('names the text line without a prefix and no turn above it', async () => {
    const found = details(await importCase({ conversation: 'Call 42, recorded Monday\nCaller: Hi\nAgent: Hello' }));
    expect(found).toEqual([
      { location: 'body', field: '/conversation', message: 'line 1: no "Caller:" or "Agent:" prefix, and no turn above it to continue' },
    ]);
  });

  it('names a caller turn that is too long by its first line, and a conversation without any caller line', async () => {
    const long = details(await importCase({ conversation: `Agent: Hi\n\nCaller: ${'a'.repeat(1990)}\n${'b'.repeat(20)}` }));
    expect(long).toEqual([
      {
        location: 'body',
        field: '/conversation',
        message: "line 3: the caller's turn starting here is 2011 characters; at most 2000 are allowed",
      },
    ]);
    const none = details(await importCase({ conversation: 'Agent: Hello?\nAgent: Anyone?' }));
    expect(none).toEqual([
      { location: 'body', field: '/conversation', message: 'the conversation holds no caller line: a case needs at least one caller turn' },
    ]);
  });

  it('refuses more than 50 caller turns, naming the 51st', async () => {
    const lines = Array.from({ length: 51 }, (_, i) => `Agent: Question ${i}?\nCaller: Answer ${i}.`).join('\n');
    const found = details(await importCase({ conversation: lines }));
    expect(found).toEqual([
      {
        location: 'body',
        field: '/conversation',
        message: 'line 102: the conversation holds 51 caller turns; a case plays at most 50 (this is turn 51)',
      },
    ]);
  });

  it('names malformed tool arguments and a tool reply to no call by their JSON pointers', async () => {
    const conversation = [
      { role: 'user', content: 'Where is my order?' },
      { role: 'assistant', tool_calls: [{ id: 'a', function: { name: 'lookup_order', arguments: '{"order_id": 12' } }] },
      { role: 'tool', tool_call_id: 'b', content: 'x' },
      { role: 'robot', content: 'beep' },
    ];
    const found = details(await importCase({ conversation: conversation as ImportIn['conversation'] }));
    expect(found).toEqual([
      {
        location: 'body',
        field: '/conversation/1/tool_calls/0/function/arguments',
        message: expect.stringMatching(/^is not valid JSON: /),
      },
      { location: 'body', field: '/conversation/2/tool_call_id', message: 'answers no tool call of an assistant message before it ("b")' },
      { location: 'body', field: '/conversation/3/role', message: 'must be one of system, developer, user, assistant, tool' },
    ]);
  });

  it('asks for the format when the shape cannot be told, and refuses a shape that does not match the format given', async () => {
    const mixed = details(
      await importCase({ conversation: [{ role: 'user', content: 'Hi' }, { sender_type: 'agent' }] as ImportIn['conversation'] }),
    );
    expect(mixed[0]).toMatchObject({ field: '/conversation', message: expect.stringMatching(/^cannot tell its shape: give `format`/) });
    const wrong = details(await importCase({ conversation: TEXT, format: 'messages' }));
    expect(wrong).toEqual([{ location: 'body', field: '/conversation', message: 'must be an array for format "messages"' }]);
  });

  it('asks for success_criteria when the server has no model to draft them', async () => {
    const answer = await raw(`${server.url}/simulation_cases/import`, {
      method: 'POST',
      key: server.key,
      body: JSON.stringify({ suite_id: suiteId, conversation: TEXT }),
    });
    expect(details(answer)).toEqual([
      {
        location: 'body',
        field: '/success_criteria',
        message: 'is required: this server has no model to draft criteria from the conversation, so give them',
      },
    ]);
  });

  it('refuses a suite that already holds 100 cases, as createSimulationCase does', async () => {
    const full = (await api.POST('/simulation_suites', { body: { name: 'Full', model_id: agentId } })).data!.response.id;
    for (let i = 0; i < 100; i += 1) {
      const made = await api.POST('/simulation_cases', {
        body: { name: `Case ${i}`, prompt: 'p', success_criteria: ['c'], call_success_type: 'all', suite_id: full },
      });
      expect(made.response.status).toBe(200);
    }
    expect(details(await importCase({ conversation: TEXT, suite_id: full }))).toEqual([
      { location: 'body', field: '/suite_id', message: 'the suite already holds 100 cases, the most a suite can hold (100)' },
    ]);
  });

  it("answers 404 for an unknown suite and for another workspace's suite", async () => {
    const unknown = await importCase({ conversation: TEXT, suite_id: 'no-such-suite' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toBe('Simulation suite no-such-suite was not found.');
    const other = apiClient(server.url, await otherWorkspace(server));
    const theirs = await other.POST('/simulation_cases/import', {
      body: { suite_id: suiteId, conversation: TEXT, success_criteria: ['x'] },
    });
    expect(theirs.response.status).toBe(404);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function finished(id: string): Promise<Simulation> {
  for (let i = 0; i < 2000; i += 1) {
    const s = (await api.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: id } } })).data!.response;
    if (s.status !== 'in-progress') return s;
    await sleep(15);
  }
  throw new Error(`gave up waiting for simulation ${id}`);
}

async function replay(caseId: string, targetAgentId: string): Promise<Simulation> {
  const started = await api.POST('/simulations', { body: { simulation_case_id: caseId, target_agent_id: targetAgentId } });
  expect(started.response.status).toBe(200);
  const run = await finished(started.data!.response.simulation_id);
  expect(run.status, JSON.stringify(run.error_info)).toBe('completed');
  return run;
}

const said = (run: Simulation, sender: string) =>
  (run.timeline ?? []).filter((e) => e.sender_type === sender && e.type === 'message').map((e) => e.value);

describe('replaying an imported case on the real engine', () => {
  let caseId: string;
  beforeAll(async () => {
    const answer = await importCase({ conversation: TEXT, name: 'Replayed call' });
    expect(answer.status, answer.text).toBe(201);
    caseId = answer.json.response.simulation_case.simulation_case_id;
  });

  it('records no divergence for an agent that says the recorded lines; the caller says exactly its recorded lines', async () => {
    const run = await replay(caseId, agentId);
    expect(run.divergence).toBeNull();
    expect(said(run, 'persona')).toEqual(CALLER);
    expect(said(run, 'agent')).toEqual([...AGENT, 'Goodbye.']);
    expect((run.timeline ?? []).some((e) => e.type === 'divergence')).toBe(false);
    expect(run.success_criteria_analysis?.evaluations).toHaveLength(1);
  });

  it('records where a departing agent diverged, while the caller goes on with its lines and the verdicts are computed', async () => {
    const other = await api.POST('/agents', {
      body: { name: 'Changed line', prompt: 'You help.', connector: { kind: 'http', url: departing.url } },
    });
    const run = await replay(caseId, other.data!.response.id);
    expect(run.divergence).toEqual({
      turn: 3,
      expected: 'Order 12345 has shipped and arrives Thursday.',
      actual: 'Sorry, I cannot find any order with that number.',
      similarity: 0,
    });
    expect(said(run, 'persona')).toEqual(CALLER);
    const timeline = run.timeline ?? [];
    const events = timeline.map((e) => `${e.sender_type} ${e.type}`);
    const at = events.indexOf('system divergence');
    expect(timeline[at - 1]).toMatchObject({ sender_type: 'agent', value: 'Sorry, I cannot find any order with that number.' });
    expect(timeline[at]!.value).toBe(
      'Reply 3 departed from the recording (similarity 0.00): expected "Order 12345 has shipped and arrives Thursday.", got "Sorry, I cannot find any order with that number."',
    );
    expect(run.success_criteria_analysis?.evaluations).toHaveLength(1);
  });
});

/** An engine whose generator model (the fixture) drafts the criteria of imported cases, as the server's engines do with one. */
class DraftingEngine extends QueueOnlyEngine {
  constructor(private readonly llm: LlmConfig) {
    super();
  }

  override draftCriteria(transcript: string, signal: AbortSignal): Promise<string[]> {
    return draftSuccessCriteria(this.llm, transcript, { signal });
  }
}

describe('criteria drafted by the generator model when none are given', () => {
  let model: ModelFixture;
  let drafting: TestServer;
  let draftingSuite: string;
  beforeAll(async () => {
    model = await startModelFixture();
    drafting = await startTestServer({ engine: () => new DraftingEngine({ base_url: model.url, model: 'generator', max_retries: 0 }) });
    const client = apiClient(drafting.url, drafting.key);
    const agent = (await client.POST('/agents', { body: { name: 'Acme', prompt: 'You help.' } })).data!.response.id;
    draftingSuite = (await client.POST('/simulation_suites', { body: { name: 'Drafted', model_id: agent } })).data!.response.id;
  });
  afterAll(async () => {
    await drafting?.stop();
    await model?.close();
  });

  const importWithout = () =>
    raw(`${drafting.url}/simulation_cases/import`, {
      method: 'POST',
      key: drafting.key,
      body: JSON.stringify({ suite_id: draftingSuite, conversation: TEXT }),
    });

  it('asks the model with the recording as Caller:/Agent: lines and keeps what it drafted', async () => {
    model.queue(modelAnswers.json({ criteria: ['Agent asked for the order number', 'Agent said when the order arrives'] }));
    const answer = await importWithout();
    expect(answer.status, answer.text).toBe(201);
    expect(responseProblems('importSimulationCase', 201, answer.json)).toEqual([]);
    expect(answer.json.response.import.criteria_source).toBe('drafted');
    expect(answer.json.response.simulation_case.success_criteria).toEqual([
      'Agent asked for the order number',
      'Agent said when the order arrives',
    ]);
    const asked = JSON.stringify(model.requests.at(-1)!.body.messages);
    expect(asked).toContain(JSON.stringify(TEXT.trim().split('\n').join('\n')).slice(1, -1));
  });

  it('answers 422 on /success_criteria, naming the failure, when the model cannot draft them', async () => {
    model.queue(modelAnswers.serverError());
    const found = details(await importWithout());
    expect(found).toEqual([
      {
        location: 'body',
        field: '/success_criteria',
        message: expect.stringMatching(/^could not be drafted by the model \(.*500.*\): give them$/),
      },
    ]);
  });
});
