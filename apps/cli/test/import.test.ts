import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, sims } from './support/cli.js';
import { simsJson } from './support/seed.js';
import { startTestServer, type TestServer } from './support/server.js';

const TRANSCRIPT = `Agent: Thank you for calling Northwind, how can I help?
Caller: Hi, where is my order?
Agent: Could you give me the order number?
Caller: It's 12345.
Agent: Order 12345 has shipped and arrives Thursday.
Caller: Great, thanks. Bye!
`;
const CALLER = ['Hi, where is my order?', "It's 12345.", 'Great, thanks. Bye!'];

const MESSAGES = [
  { role: 'system', content: 'You are the phone support of Northwind.' },
  { role: 'user', content: 'Where is order 12345?' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"12345"}' } }],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '{"status":"shipped"}' },
  { role: 'assistant', content: 'It has shipped and arrives Thursday.' },
];

describe('sims cases import against the real server and engine', () => {
  let server: TestServer;
  let dir: string;
  let agentId: string;
  let suiteId: string;
  const global = () => ['--base-url', server.url, '--api-key', server.key];

  beforeAll(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'sims-cli-import-'));
    const agentFile = join(dir, 'agent.yaml');
    await writeFile(
      agentFile,
      'name: Northwind Shop\nprompt: You are the phone support of Northwind.\nconnector: { kind: builtin, builtin: shop_support }\n',
    );
    agentId = (await simsJson(server, ['agents', 'create', '--file', agentFile])).id;
    suiteId = (await simsJson(server, ['suites', 'create', '--name', 'Replays', '--agent', agentId])).id;
  });
  afterAll(() => server?.stop());

  it('imports a text transcript, prints the case id and what was read, and its replay says exactly the recorded lines', async () => {
    const file = join(dir, 'call.txt');
    await writeFile(file, TRANSCRIPT);
    const result = await sims([
      ...global(),
      'cases',
      'import',
      '--suite',
      suiteId,
      file,
      '--criterion',
      'The agent says when the order arrives',
    ]);
    expect(result.code, explain(result)).toBe(0);
    const [first, ...table] = result.stdout.trimEnd().split('\n');
    const caseId = /^imported case ([0-9a-f-]{36}) "Replay: Hi, where is my order\?" into suite ([0-9a-f-]{36})$/.exec(first!)?.[1];
    expect(caseId, result.stdout).toBeDefined();
    expect(table.join('\n')).toMatch(/│ format\s+│ caller turns\s+│ agent turns\s+│ tool calls\s+│ checks\s+│ tool mocks\s+│ criteria\s+│/);
    expect(table.join('\n')).toMatch(/│ text\s+│ 3\s+│ 3\s+│ 0\s+│ 0\s+│ 0\s+│ 1 given\s+│/);

    const started = await simsJson(server, ['simulations', 'start', '--case', caseId!, '--agent', agentId]);
    const run = await sims([...global(), '--json', 'simulations', 'wait', started.simulation_id, '--interval', '100']);
    expect(run.code === 0 || run.code === 1, explain(run)).toBe(true);
    const simulation = JSON.parse(run.stdout);
    expect(simulation.status).toBe('completed');
    const said = simulation.timeline.filter(
      (e: { sender_type: string; type: string }) => e.sender_type === 'persona' && e.type === 'message',
    );
    expect(said.map((e: { value: string }) => e.value)).toEqual(CALLER);
    // The builtin agent words its replies otherwise than the recording: where it first departed is recorded.
    expect(simulation.divergence).toMatchObject({ turn: expect.any(Number), expected: expect.any(String) });
  });

  it('reads a JSON chat log from stdin (tool calls become checks and mocks) and prints the whole answer with --json', async () => {
    const result = await sims([...global(), '--json', 'cases', 'import', '--suite', suiteId, '-', '--criterion', 'Status told'], {
      input: JSON.stringify({ model: 'gpt-x', messages: MESSAGES }),
    });
    expect(result.code, explain(result)).toBe(0);
    const imported = JSON.parse(result.stdout);
    expect(imported.import).toEqual({ format: 'messages', caller_turns: 1, agent_turns: 1, tool_calls: 1, criteria_source: 'given' });
    expect(imported.simulation_case).toMatchObject({
      suite_id: suiteId,
      caller_turns: ['Where is order 12345?'],
      expected_agent_turns: ['', 'It has shipped and arrives Thursday.'],
      checks: [{ kind: 'tool_called', name: 'lookup_order', arguments: { order_id: '12345' } }],
      tool_mocks: [{ name: 'lookup_order', arguments: { order_id: '12345' }, result: '{"status":"shipped"}' }],
    });
  });

  it('reads a simulation as `simulations get --json` prints it (its timeline), with --name and --no-tool-checks', async () => {
    const file = join(dir, 'simulation.json');
    const at = '2026-11-30T09:15:00Z';
    const timeline = [
      { sender_type: 'agent', type: 'message', value: 'Northwind, hello.', timestamp: '0.000', timestamp_datetime: at },
      { sender_type: 'persona', type: 'message', value: 'Cancel order 777.', timestamp: '0.500', timestamp_datetime: at },
      { sender_type: 'agent', type: 'tool_call', value: 'cancel_order {"order_id":"777"}', timestamp: '0.600', timestamp_datetime: at },
      { sender_type: 'agent', type: 'message', value: 'Done.', timestamp: '0.700', timestamp_datetime: at },
    ];
    await writeFile(file, JSON.stringify({ simulation_id: 'x', status: 'completed', timeline }));
    const imported = await simsJson(server, [
      'cases',
      'import',
      '--suite',
      suiteId,
      file,
      '--name',
      'Cancel replay',
      '--criterion',
      'Cancelled',
      '--no-tool-checks',
    ]);
    expect(imported.import).toMatchObject({ format: 'timeline', caller_turns: 1, agent_turns: 2, tool_calls: 1 });
    expect(imported.simulation_case).toMatchObject({ name: 'Cancel replay', checks: [], tool_mocks: [] });
  });

  it('fails with exit 2 and the line the server could not read, or a usage error for a file it cannot use', async () => {
    const file = join(dir, 'bad.txt');
    await writeFile(file, 'Call of Monday\nCaller: Hello\n');
    const bad = await sims([...global(), 'cases', 'import', '--suite', suiteId, file, '--criterion', 'x']);
    expect(bad.code, explain(bad)).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: 422 validation_failed: The request is invalid\. \(\/conversation: line 1: no "Caller:" or "Agent:" prefix, and no turn above it to continue\) \[request \S+\]\n$/,
    );
    const object = join(dir, 'object.json');
    await writeFile(object, '{"calls": []}');
    const unusable = await sims([...global(), 'cases', 'import', '--suite', suiteId, object]);
    expect(unusable.code).toBe(2);
    expect(unusable.stderr).toBe(
      `error: ${object} holds a JSON object without a "messages" or "timeline" array: give the conversation itself\n`,
    );
  });
});
