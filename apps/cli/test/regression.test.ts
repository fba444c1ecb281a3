import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, sims } from './support/cli.js';
import { simsJson } from './support/seed.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The regression gate end to end: the real server and simulation engine run each case against an
 * `http` agent on loopback whose answers the test scripts run by run, and the CLI runs the suite
 * with --iterations, --baseline and both --fail-on modes, as a CI job would.
 */

const PASS_WORD = 'ANSWER-OK';

/** For each case (by the word its caller says), whether each of its runs passes, in the order the runs reach the agent. */
let script: Record<'stable' | 'breaks', boolean[]> = { stable: [true, true], breaks: [true, true] };
const runOrder = new Map<string, number>();
const seen = new Map<string, number>();

/** The agent: greets, then answers the caller's "case …" line as the script says, and hangs up. */
function startAgent(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      const turn = JSON.parse(text) as { simulation_id: string; conversation: Array<{ role: string; content: string }> };
      const reply = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (turn.conversation.length === 0) return reply({ reply: 'Hello, how can I help?' });
      const said = turn.conversation.find((m) => m.role === 'persona')?.content ?? '';
      const name = /case (stable|breaks)/.exec(said)?.[1] as keyof typeof script | undefined;
      if (!name) return reply({ reply: 'Sorry, I cannot help.', end_call: true });
      if (!runOrder.has(turn.simulation_id)) {
        runOrder.set(turn.simulation_id, seen.get(name) ?? 0);
        seen.set(name, (seen.get(name) ?? 0) + 1);
      }
      const passes = script[name][(runOrder.get(turn.simulation_id) ?? 0) % script[name].length];
      reply({ reply: passes ? `${PASS_WORD}: here is your answer.` : 'Sorry, I cannot help with that.', end_call: true });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/turn`,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}

/** A new phase of the script: each case's runs counted from the first again. */
function play(next: typeof script) {
  script = next;
  seen.clear();
}

const caseFile = (name: string) => `
name: Case ${name}
prompt: The caller asks a question.
caller_turns: ["case ${name}"]
success_criteria: [The agent answers the question]
call_success_type: any
checks:
  - { kind: contains, text: "${PASS_WORD}", side: agent, description: The agent says ${PASS_WORD} }
`;

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' });

describe('sims run as a regression gate (real server and engine, scripted loopback agent)', () => {
  let server: TestServer;
  let agent: Awaited<ReturnType<typeof startAgent>>;
  let dir: string;
  let suiteId: string;
  const sessions: string[] = [];
  const global = () => ['--base-url', server.url, '--api-key', server.key];
  const run = (...args: string[]) => sims([...global(), 'run', suiteId, '--interval', '50', '--iterations', '2', ...args]);
  const sessionOf = (stderr: string) => /\(session ([0-9a-f-]{36})\)/.exec(stderr)?.[1] ?? '';

  beforeAll(async () => {
    agent = await startAgent();
    server = await startTestServer(undefined, { concurrency: 4, timeoutMs: 30_000, allowPrivateNetworks: true, llm: {} });
    dir = await mkdtemp(join(tmpdir(), 'sims-cli-regression-'));
    const agentFile = join(dir, 'agent.yaml');
    await writeFile(agentFile, `name: Scripted\nprompt: You answer questions.\nconnector: { kind: http, url: "${agent.url}" }\n`);
    const created = await simsJson(server, ['agents', 'create', '--file', agentFile]);
    suiteId = (await simsJson(server, ['suites', 'create', '--name', 'Gate', '--agent', created.id])).id;
    for (const name of ['stable', 'breaks']) {
      await writeFile(join(dir, `${name}.yaml`), caseFile(name));
      await simsJson(server, ['cases', 'create', '--file', join(dir, `${name}.yaml`), '--suite', suiteId]);
    }
  });
  afterAll(async () => {
    await server?.stop();
    await agent?.stop();
  });

  it('first run with --fail-on regression: no baseline yet, a note and exit 0; the table shows pass rates per case', async () => {
    play({ stable: [true, true], breaks: [true, true] });
    const result = await run('--fail-on', 'regression');
    sessions.push(sessionOf(result.stderr));
    expect(result.code, explain(result)).toBe(0);
    expect(result.stderr).toContain('note: no earlier finished session of this suite to compare with (its first run)');
    expect(result.stdout).toMatch(/│ Case stable\s+│ PASS\s+│ 2\/2 100%\s+│/);
    expect(result.stdout).toMatch(/│ Case breaks\s+│ PASS\s+│ 2\/2 100%\s+│/);
    expect(result.stdout).toContain('2 passed, 0 flaky, 0 failed of 2 cases; 4 of 4 runs passed (100%)');
    expect(result.stdout).not.toContain('vs baseline');
  });

  it('a case that now fails every run: --fail-on regression exits 1 with the verdict; JUnit has failure then rerunFailure', async () => {
    play({ stable: [true, true], breaks: [false, false] });
    const junit = join(dir, 'regressed.xml');
    const result = await run('--fail-on', 'regression', '--junit', junit);
    sessions.push(sessionOf(result.stderr));
    expect(result.code, explain(result)).toBe(1);
    // Offline the natural-language criterion has no judge (not evaluated, so never passed: 2 of 2 fail in a
    // failing run, and in JUnit); with `any` the check decides.
    expect(result.stdout).toMatch(/│ Case breaks\s+│ FAIL\s+│ 0\/2 0%\s+│ −100% regressed\s+│ \? not evaluated The agent answers/);
    expect(result.stdout).toMatch(/│\s+│\s+│\s+│ newly failing\s+│/);
    expect(result.stdout).toMatch(/│ ✗ The agent says ANSWER-OK \(0\/2 passed\):/);
    expect(result.stdout).toMatch(/│ Case stable\s+│ PASS\s+│ 2\/2 100%\s+│ ±0%\s+│/);
    expect(result.stdout).toContain(`REGRESSED against session ${sessions[0]}: pass rate 100% → 50% (−50%); 1 regressed, 0 improved`);

    const suite = xml.parse(await readFile(junit, 'utf8')).testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '2', failures: '1', errors: '0' });
    const breaks = suite.testcase.find((c: { name: string }) => c.name === 'Case breaks');
    expect(breaks.failure).toMatchObject({ type: 'criteria', message: '2 of 2 criteria failed' });
    expect(breaks.rerunFailure).toMatchObject({ type: 'criteria', message: '2 of 2 criteria failed' });
    expect(breaks['system-out']).toMatch(/^simulation [0-9a-f-]{36} \(iteration 1\)\n/);
  });

  it('a flaky case: --fail-on any exits 1 (a run failed), --fail-on regression exits 0 (improved); JUnit has flakyFailure', async () => {
    play({ stable: [true, true], breaks: [true, false] });
    const any = await run('--baseline', sessions[1] ?? '');
    expect(any.code, explain(any)).toBe(1);
    expect(any.stdout).toMatch(/│ Case breaks\s+│ FLAKY\s+│ 1\/2 50%\s+│ \+50% improved\s+│/);
    expect(any.stdout).toMatch(/│\s+│\s+│\s+│ flaky\s+│/);
    expect(any.stdout).toContain(`IMPROVED against session ${sessions[1]}`);

    play({ stable: [true, true], breaks: [true, false] });
    const junit = join(dir, 'flaky.xml');
    const gate = await run('--fail-on', 'regression', '--baseline', sessions[1] ?? '', '--junit', junit);
    expect(gate.code, explain(gate)).toBe(0);
    const suite = xml.parse(await readFile(junit, 'utf8')).testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '2', failures: '0', errors: '0' });
    const breaks = suite.testcase.find((c: { name: string }) => c.name === 'Case breaks');
    expect(breaks.failure).toBeUndefined();
    expect(breaks.flakyFailure).toMatchObject({ type: 'criteria', message: '2 of 2 criteria failed' });
    expect(breaks.flakyFailure['#text']).toContain('✗ The agent says ANSWER-OK:');
  });

  it('--json prints the session with its report and comparison; sessions compare prints the verdict and the cases', async () => {
    play({ stable: [true, true], breaks: [true, true] });
    const result = await sims([...global(), '--json', 'run', suiteId, '--interval', '50', '--iterations', '2', '--baseline', 'last']);
    expect(result.code, explain(result)).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ suite_id: suiteId, total_simulations: 4, pending_simulations: 0 });
    expect(out.report).toMatchObject({ finished: true, passed_simulations: 4, case_outcomes: { passing: 2, flaky: 0 } });
    expect(out.comparison).toMatchObject({ simulation_session_id: out.simulation_session_id, suite_id: suiteId });

    const compare = await sims([...global(), 'sessions', 'compare', sessions[0] ?? '', sessions[1] ?? '']);
    expect(compare.code, explain(compare)).toBe(0);
    expect(compare.stdout.split('\n')[0]).toBe(
      `REGRESSED against session ${sessions[0]}: pass rate 100% → 50% (−50%); 1 regressed, 0 improved; 1 newly failing, 1 still passing`,
    );
    expect(compare.stdout).toMatch(/│ Case breaks\s+│ newly failing\s+│ 2\/2 100%\s+│ 0\/2 0%\s+│ −100% │ regressed │/);
    const json = await simsJson(server, ['sessions', 'compare', sessions[0] ?? '', sessions[1] ?? '']);
    expect(json).toMatchObject({ verdict: 'regressed', baseline_session_id: sessions[0], simulation_session_id: sessions[1] });

    const unknown = await sims([...global(), 'run', suiteId, '--interval', '50', '--baseline', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code, explain(unknown)).toBe(2);
    expect(unknown.stderr).toMatch(/^error: 404 not_found: .*\(baseline: /m);
  });
});
