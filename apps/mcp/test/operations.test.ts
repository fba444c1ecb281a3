import { SpecValidator } from '@sims/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpSession, payload, startMcp, texts } from './support/mcp.js';
import { startTestServer, type TestServer } from './support/server.js';

/** The envelope the API wraps most payloads in, put back so the answer can be checked against the operation's declared response. */
const enveloped = (response: unknown) => ({ status: 'ok', response });

describe('operation tools against the real server', () => {
  let server: TestServer;
  let mcp: McpSession;
  const spec = new SpecValidator();
  const call = (name: string, args: Record<string, unknown> = {}) => mcp.client.callTool({ name, arguments: args });

  beforeAll(async () => {
    server = await startTestServer();
    mcp = await startMcp({ SIMS_BASE_URL: server.url, SIMS_API_KEY: server.key });
  });
  afterAll(async () => {
    await mcp?.close();
    await server?.stop();
  });

  it('create an agent and a suite, then list and read the suite: the answers are the API payloads, valid against the spec', async () => {
    const agent = payload(
      await call('createAgent', { body: { name: 'Northwind Shop', prompt: 'You are the phone support of Northwind.' } }),
    );
    expect(spec.validateResponse('createAgent', 200, enveloped(agent))).toEqual([]);

    const created = payload(await call('createSimulationSuite', { body: { name: 'Smoke', model_id: agent.id } }));
    expect(spec.validateResponse('createSimulationSuite', 200, enveloped(created))).toEqual([]);
    expect(created).toMatchObject({ name: 'Smoke', model_id: agent.id });

    const list = payload(await call('listSimulationSuites', { search: 'Smoke', page_size: 10 }));
    expect(spec.validateResponse('listSimulationSuites', 200, enveloped(list))).toEqual([]);
    expect(JSON.stringify(list)).toContain(created.id);

    const read = payload(await call('getSimulationSuite', { suite_id: created.id }));
    expect(read).toMatchObject({ id: created.id, name: 'Smoke' });

    const renamed = payload(await call('updateSimulationSuite', { suite_id: created.id, body: { name: 'Smoke 2' } }));
    expect(renamed.name).toBe('Smoke 2');

    const deleted = await call('deleteSimulationSuite', { suite_id: created.id });
    expect(deleted.isError).toBeFalsy();
    expect(texts(deleted)).toEqual(['204 No Content']);
  });

  it('answer a 404 as a tool error with the status, the code, the message and the request id', async () => {
    const result = await call('getSimulationSuite', { suite_id: 'no-such-suite' });
    expect(result.isError).toBe(true);
    const text = texts(result).join('\n');
    expect(text).toMatch(/^404 not_found: .*no-such-suite/);
    expect(text).toMatch(/request id: \S+/);
  });

  it('answer a request the server refuses (422) as a tool error with its field details', async () => {
    const agent = payload(await call('createAgent', { body: { name: 'A', prompt: 'p' } }));
    const other = payload(await call('createAgent', { body: { name: 'B', prompt: 'p' } }));
    const suite = payload(await call('createSimulationSuite', { body: { name: 'Wrong agent', model_id: agent.id } }));
    // Valid arguments by the schema; only the server knows the agent is not the suite's own.
    const result = await call('executeSimulationSuite', { suite_id: suite.id, target_agent_id: other.id });
    expect(result.isError).toBe(true);
    const text = texts(result).join('\n');
    expect(text).toMatch(/^422 validation_failed: /);
    expect(text).toContain('- query target_agent_id: ');
  });

  it('collect a streamed answer (generateSimulationCases, NDJSON) into the list of its events', async () => {
    const agent = payload(await call('createAgent', { body: { name: 'Gen', prompt: 'You are the support agent of Acme.' } }));
    const result = await call('generateSimulationCases', { body: { agent_id: agent.id, include_tests: ['task_completion'] } });
    const events = payload<{ type: string }[]>(result);
    expect(texts(result)[0]).toBe(`${events.length} events streamed`);
    expect(events.at(-1)?.type).toBe('done');
    const cases = events.filter((e) => e.type === 'case');
    expect(cases.length).toBeGreaterThan(0);
    for (const event of events) expect(spec.validateSchema('SimulationCaseGenerateEvent', event)).toEqual([]);
    const listed = payload(await call('listSimulationCasesByAgent', { agent_id: agent.id }));
    expect(JSON.stringify(listed)).toContain(
      (cases[0] as unknown as { simulation_case: { simulation_case_id: string } }).simulation_case.simulation_case_id,
    );
  });

  it('answer getHealth, the one operation without a key', async () => {
    expect(payload(await call('getHealth'))).toMatchObject({ version: expect.any(String), started_at: expect.any(String) });
  });
});
