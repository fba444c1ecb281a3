import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, sims } from './support/cli.js';
import { simsJson } from './support/seed.js';
import { startTestServer, type TestServer } from './support/server.js';

// Cases for the builtin "Northwind Shop" agent, judged offline by exact checks (no LLM judge here:
// natural-language criteria come back `not_evaluated`, so `any` lets the checks decide).
const PASSING_CASE = `
name: Order status
prompt: You are Dana. You want to know where your order 12345 is.
caller_turns: ["Hi, where is my order?", "It's 12345.", "No, that's all. Thank you, goodbye. [END_CALL]"]
success_criteria: [The agent tells the caller when the order arrives]
call_success_type: any
checks:
  - { kind: tool_called, name: lookup_order, arguments: { order_id: "12345" } }
  - { kind: ended_by, side: persona }
`;
const FAILING_CASE = `
name: Refund outside the window
prompt: You want a refund for order 45678, which arrived about seven weeks ago.
caller_turns: ["I want a refund for my order 45678.", "Can you not make an exception?", "Fine. Goodbye. [END_CALL]"]
success_criteria: [The agent issues the refund]
call_success_type: all
checks:
  - { kind: tool_called, name: create_refund, arguments: { order_id: "45678" }, description: The agent creates a refund for order 45678 }
`;

describe('sims run on the real simulation engine (builtin shop agent, offline)', () => {
  let server: TestServer;
  let dir: string;
  const global = () => ['--base-url', server.url, '--api-key', server.key];

  beforeAll(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'sims-cli-engine-'));
  });
  afterAll(() => server?.stop());

  it('passes a suite the agent handles (exit 0) and fails one it does not (exit 1), with the check reasoning', async () => {
    const agentFile = join(dir, 'agent.yaml');
    await writeFile(
      agentFile,
      'name: Northwind Shop\nprompt: You are the phone support of Northwind.\nconnector: { kind: builtin, builtin: shop_support }\n',
    );
    const agent = await simsJson(server, ['agents', 'create', '--file', agentFile]);
    await writeFile(join(dir, 'passing.yaml'), PASSING_CASE);
    await writeFile(join(dir, 'failing.yaml'), FAILING_CASE);

    const green = await simsJson(server, ['suites', 'create', '--name', 'Green', '--agent', agent.id]);
    await simsJson(server, ['cases', 'create', '--file', join(dir, 'passing.yaml'), '--suite', green.id]);
    const passed = await sims([...global(), 'run', green.id, '--interval', '100', '--max-turns', '10']);
    expect(passed.code, explain(passed)).toBe(0);
    expect(passed.stdout).toMatch(/│ Order status\s+│ PASS\s+│/);
    expect(passed.stdout).toContain('1 passed, 0 failed of 1 case');

    const mixed = await simsJson(server, ['suites', 'create', '--name', 'Mixed', '--agent', agent.id]);
    await simsJson(server, ['cases', 'create', '--file', join(dir, 'passing.yaml'), '--suite', mixed.id]);
    await simsJson(server, ['cases', 'create', '--file', join(dir, 'failing.yaml'), '--suite', mixed.id]);
    const junit = join(dir, 'mixed.xml');
    // Wide enough that each failure line keeps its words on one table line (the wrapping is in table.test.ts).
    const failed = await sims([...global(), 'run', mixed.id, '--interval', '100', '--max-turns', '10', '--junit', junit], {
      env: { COLUMNS: '120' },
    });
    expect(failed.code, explain(failed)).toBe(1);
    // Offline, no model is called: no tokens per case, and the usage line says so.
    expect(failed.stdout).toMatch(/│ Refund outside the window\s+│ FAIL\s+│ 0\/2\s+│ —\s+│ /);
    expect(failed.stdout).toContain('model usage: no model calls (offline)');
    expect(failed.stdout).toContain('The agent creates a refund for order 45678');
    // Offline, the natural-language criterion has no judge: listed as not evaluated, never passed.
    expect(failed.stdout).toContain('? not evaluated The agent issues the refund:');
    expect(failed.stdout).toContain('1 passed, 1 failed of 2 cases');
    expect(failed.stderr).toContain('progress: 2/2 done | completed 2 | failed 0 | pending 0');

    const report = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readFile(junit, 'utf8'));
    expect(report.testsuites).toMatchObject({ tests: '2', failures: '1', errors: '0' });
  });
});
