import { readFileSync } from 'node:fs';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { createAjv, loadBundle } from '@sims/spec/runtime';
import { SpecValidator } from '@sims/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { type McpSession, startMcp, texts } from './support/mcp.js';

const TASK_TOOLS = ['run_suite_and_report', 'compare_with_last_run', 'import_transcript'];

// No API is needed to list tools, nor for the answers checked here that never reach one.
describe('the tools an MCP client lists', () => {
  let mcp: McpSession;
  const spec = new SpecValidator();

  beforeAll(async () => {
    mcp = await startMcp({ SIMS_BASE_URL: 'http://127.0.0.1:9/v2', SIMS_API_KEY: 'sk_test_not_used' });
  });
  afterAll(() => mcp?.close());

  it('are every operation of the bundled spec, by operationId, and the task tools — none missing, none extra', async () => {
    const { tools } = await mcp.client.listTools();
    const names = tools.map((tool) => tool.name);
    const operations = spec.operations().map((op) => op.operationId);
    expect(operations.length).toBeGreaterThan(40);
    expect([...names].sort()).toEqual([...operations, ...TASK_TOOLS].sort());
    expect(new Set(names).size).toBe(names.length);
    // First, for the clients that hand a model only the first tools of a long list.
    expect(names.slice(0, TASK_TOOLS.length)).toEqual(TASK_TOOLS);
  });

  it('describe each operation with its summary, description and route, and annotate reads and deletes', async () => {
    const { tools } = await mcp.client.listTools();
    for (const op of spec.operations()) {
      const tool = tools.find((t) => t.name === op.operationId);
      expect(tool?.title, op.operationId).toBe(op.summary);
      expect(tool?.description).toContain(op.summary);
      expect(tool?.description).toContain(`\`${op.method.toUpperCase()} ${op.path}\``);
      if (typeof op.definition.description === 'string') expect(tool?.description).toContain(op.definition.description.trim());
      if (op.method === 'get') expect(tool?.annotations?.readOnlyHint, op.operationId).toBe(true);
      if (op.method === 'delete') expect(tool?.annotations?.destructiveHint, op.operationId).toBe(true);
    }
  });

  it('take the path and query parameters by name and the request body as `body`, the required ones required', async () => {
    const { tools } = await mcp.client.listTools();
    for (const op of spec.operations()) {
      const schema = tools.find((t) => t.name === op.operationId)?.inputSchema;
      const path = spec.at(`/paths/${op.path.replaceAll('~', '~0').replaceAll('/', '~1')}`);
      const params = [...((path.parameters as unknown[]) ?? []), ...((op.definition.parameters as unknown[]) ?? [])].map((p) =>
        spec.resolve<{ name: string; in: string; required?: boolean }>(p),
      );
      const expected = params.filter((p) => p.in === 'path' || p.in === 'query').map((p) => p.name);
      const body = op.definition.requestBody ? spec.resolve<{ required?: boolean }>(op.definition.requestBody) : undefined;
      if (body) expected.push('body');
      expect(Object.keys(schema?.properties ?? {}).sort(), op.operationId).toEqual(expected.sort());
      const required = params.filter((p) => p.required && p.in !== 'header').map((p) => p.name);
      if (body?.required) required.push('body');
      expect([...(schema?.required ?? [])].sort(), op.operationId).toEqual(required.sort());
    }
  });

  it('have input schemas that stand alone: objects, valid JSON Schema 2020-12, without a $ref or an OpenAPI keyword', async () => {
    const { tools } = await mcp.client.listTools();
    const ajv = createAjv(loadBundle());
    for (const tool of tools) {
      // What the strictest clients ask of a tool: a short plain name, and an object schema without a
      // combinator at its top (those go inside properties).
      expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(
        Object.keys(tool.inputSchema).filter((key) => ['oneOf', 'anyOf', 'allOf', 'not', 'if'].includes(key)),
        tool.name,
      ).toEqual([]);
      const text = JSON.stringify(tool.inputSchema);
      expect(text, tool.name).not.toContain('"$ref"');
      expect(text, tool.name).not.toMatch(/"(example|discriminator|x-[\w-]+)":/);
      expect(ajv.validateSchema(tool.inputSchema), `${tool.name}: ${ajv.errorsText()}`).toBe(true);
    }
  });

  it("inline the spec's schemas: a request body is the component it refers to, limits included", async () => {
    const { tools } = await mcp.client.listTools();
    const createSuite = tools.find((t) => t.name === 'createSimulationSuite')?.inputSchema.properties?.body as Record<string, any>;
    const component = spec.at('/components/schemas/SimulationSuiteCreateIn');
    expect(Object.keys(createSuite.properties)).toEqual(Object.keys(component.properties as object));
    expect(createSuite.required).toEqual(component.required);
    const iterations = tools.find((t) => t.name === 'run_suite_and_report')?.inputSchema.properties?.iterations;
    expect(iterations).toMatchObject({ type: 'integer', minimum: 1, maximum: 20 });
  });

  it('answer bad arguments as a tool error naming each problem, without calling the API', async () => {
    const missing = await mcp.client.callTool({ name: 'getSimulationSuite', arguments: {} });
    expect(missing.isError).toBe(true);
    expect(texts(missing).join('\n')).toContain("must have required property 'suite_id'");

    const wrong = await mcp.client.callTool({
      name: 'run_suite_and_report',
      arguments: { suite_id: 'a', iterations: 50, colour: 'red' },
    });
    expect(wrong.isError).toBe(true);
    const text = texts(wrong).join('\n');
    expect(text).toContain('Invalid arguments for run_suite_and_report:');
    expect(text).toContain('/iterations: must be <= 20');
    expect(text).toContain('unknown property colour');
    expect(mcp.stderr()).not.toContain('could not reach');
  });

  it('answer an unknown tool with the protocol error for invalid params', async () => {
    const call = mcp.client.callTool({ name: 'launchRocket', arguments: {} });
    await expect(call).rejects.toBeInstanceOf(McpError);
    await expect(call).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringContaining('Unknown tool: launchRocket'),
    });
  });

  it('answer an unreachable API as a tool error naming the base URL', async () => {
    const result = await mcp.client.callTool({ name: 'listSimulationSuites', arguments: {} });
    expect(result.isError).toBe(true);
    expect(texts(result).join('\n')).toContain('could not reach the API at http://127.0.0.1:9/v2');
  });

  it('name the server and its version, and say on stderr how many tools it offers and where the API is, never the key', async () => {
    expect(mcp.client.getServerVersion()).toMatchObject({ name: 'sims', version: VERSION });
    expect(mcp.client.getInstructions()).toContain('run_suite_and_report');
    expect(mcp.stderr()).toContain(`ready: ${spec.operations().length + TASK_TOOLS.length} tools, API http://127.0.0.1:9/v2`);
    expect(mcp.stderr()).not.toContain('sk_test_not_used');
  });
});

describe('a server started without a key', () => {
  it('still lists its tools, and answers every call with the configuration problem as a tool error', async () => {
    const mcp = await startMcp({});
    try {
      const { tools } = await mcp.client.listTools();
      expect(tools.length).toBeGreaterThan(40);
      const result = await mcp.client.callTool({ name: 'listAgents', arguments: {} });
      expect(result.isError).toBe(true);
      expect(texts(result).join('\n')).toContain('SIMS_API_KEY is not set');
      expect(mcp.stderr()).toContain('not configured: SIMS_API_KEY is not set');
    } finally {
      await mcp.close();
    }
  });
});

describe('SIMS_MCP_TOOLS', () => {
  const spec = new SpecValidator();

  it('offers only the tools and groups it names (tasks, read: the GET operations); the others are unknown tools', async () => {
    const mcp = await startMcp({
      SIMS_BASE_URL: 'http://127.0.0.1:9/v2',
      SIMS_API_KEY: 'sk_x',
      SIMS_MCP_TOOLS: 'tasks, read,createSimulationSuite',
    });
    try {
      const { tools } = await mcp.client.listTools();
      const reads = spec
        .operations()
        .filter((op) => op.method === 'get')
        .map((op) => op.operationId);
      expect(tools.map((t) => t.name).sort()).toEqual([...TASK_TOOLS, ...reads, 'createSimulationSuite'].sort());
      await expect(mcp.client.callTool({ name: 'deleteAgent', arguments: { agent_id: 'a' } })).rejects.toMatchObject({
        code: ErrorCode.InvalidParams,
      });
    } finally {
      await mcp.close();
    }
  });

  it('answers calls with the problem when it names something that is neither a tool nor a group', async () => {
    const mcp = await startMcp({ SIMS_BASE_URL: 'http://127.0.0.1:9/v2', SIMS_API_KEY: 'sk_x', SIMS_MCP_TOOLS: 'tasks,runEverything' });
    try {
      expect((await mcp.client.listTools()).tools.map((t) => t.name)).toEqual(TASK_TOOLS);
      const result = await mcp.client.callTool({ name: 'compare_with_last_run', arguments: { simulation_session_id: 's' } });
      expect(result.isError).toBe(true);
      expect(texts(result).join('\n')).toContain('SIMS_MCP_TOOLS names no tool or group (tasks, read): runEverything');
    } finally {
      await mcp.close();
    }
  });
});

it('keeps VERSION equal to package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(VERSION).toBe(pkg.version);
});
