import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueOnlyEngine } from '@sims/server';
import { explain, sims } from './support/cli.js';
import { seedSuite } from './support/seed.js';
import { ERROR_MARKER, FAIL_MARKER, judgeUsage, REPLAY_MARKER, SteppedEngine, startTestServer, type TestServer } from './support/server.js';

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['testcase', 'property', 'testsuite'].includes(name),
});
const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('sims run against the real server', () => {
  let server: TestServer;
  let passing: Awaited<ReturnType<typeof seedSuite>>;
  let mixed: Awaited<ReturnType<typeof seedSuite>>;
  let dir: string;
  const global = () => ['--base-url', server.url, '--api-key', server.key];

  beforeAll(async () => {
    server = await startTestServer((storage) => new SteppedEngine(storage));
    dir = await mkdtemp(join(tmpdir(), 'sims-cli-run-'));
    passing = await seedSuite(server, 'Green suite', [
      { name: 'Opening hours', prompt: 'Ask for the opening hours.', criteria: ['Agent gave the hours'] },
      { name: 'Delivery date', prompt: 'Ask when the parcel arrives.', criteria: ['Agent gave a date', 'Agent was polite'] },
    ]);
    mixed = await seedSuite(server, 'Release <gate> & "checks"', [
      { name: 'Refund', prompt: 'Ask for a refund.', criteria: ['Agent offered a refund', `Agent confirmed the order ${FAIL_MARKER}`] },
      { name: 'Hours', prompt: 'Ask for the hours.', criteria: ['Agent gave the hours'] },
      { name: 'Broken line', prompt: `The line breaks ${ERROR_MARKER}.`, criteria: ['Agent answered'] },
      { name: 'Either way', prompt: 'Ask twice.', criteria: [`Agent repeated ${FAIL_MARKER}`, 'Agent answered'], successType: 'any' },
    ]);
  });
  afterAll(() => server?.stop());

  it('exits 0 when every case passes, with plain progress lines, the table and JUnit XML', async () => {
    const junit = join(dir, 'green.xml');
    const result = await sims([...global(), 'run', passing.suiteId, '--interval', '20', '--junit', junit]);
    expect(result.code, explain(result)).toBe(0);

    // Not a terminal: one plain line per change of the counters, from the first read to the last.
    const progress = lines(result.stderr).filter((line) => line.startsWith('progress:'));
    expect(progress).toEqual([
      'progress: 0/2 done | completed 0 | failed 0 | pending 2',
      'progress: 1/2 done | completed 1 | failed 0 | pending 1',
      'progress: 2/2 done | completed 2 | failed 0 | pending 0',
    ]);
    expect(result.stderr).toContain(`2 cases on agent ${passing.agentId}`);
    expect(result.stderr).not.toContain('\u001b[');

    // Each case's model tokens (one judge call of 120 tokens per criterion), and the session's usage after the table.
    expect(result.stdout).toMatch(/│ Opening hours\s+│ PASS\s+│ 1\/1\s+│ 120\s+│/);
    expect(result.stdout).toMatch(/│ Delivery date\s+│ PASS\s+│ 2\/2\s+│ 240\s+│/);
    expect(result.stdout).toContain('2 passed, 0 failed of 2 cases');
    expect(lines(result.stdout).slice(-1)).toEqual([
      'model usage: 3 calls, 360 tokens (300 prompt + 60 completion), 1.5 s model time (judge 3 calls)',
    ]);

    const report = xml.parse(await readFile(junit, 'utf8'));
    expect(report.testsuites).toMatchObject({ tests: '2', failures: '0', errors: '0' });
    const suite = report.testsuites.testsuite[0];
    expect(suite).toMatchObject({ name: 'Green suite', tests: '2', failures: '0', errors: '0' });
    expect(suite.testcase.map((c: { name: string }) => c.name).sort()).toEqual(['Delivery date', 'Opening hours']);
    expect(suite.testcase.every((c: object) => !('failure' in c) && !('error' in c))).toBe(true);
  });

  it('exits 1 when a case fails: the table names each failed criterion with its reasoning, JUnit carries them', async () => {
    const junit = join(dir, 'mixed.xml');
    // Wide enough that each failure line stays on one table line (the wrapping is in table.test.ts).
    const result = await sims([...global(), 'run', mixed.suiteId, '--interval', '20', '--junit', junit], { env: { COLUMNS: '160' } });
    expect(result.code, explain(result)).toBe(1);

    const progress = lines(result.stderr).filter((line) => line.startsWith('progress:'));
    expect(progress[0]).toBe('progress: 0/4 done | completed 0 | failed 0 | pending 4');
    expect(progress.at(-1)).toBe('progress: 4/4 done | completed 3 | failed 1 | pending 0');
    expect(progress).toHaveLength(5);

    const rows = result.stdout;
    expect(rows).toMatch(/│ Refund\s+│ FAIL\s+│ 1\/2\s+│ 240\s+│ ✗ Agent confirmed the order \[fails\]: The agent never did this/);
    expect(rows).toMatch(/│ Hours\s+│ PASS\s+│ 1\/1\s+│ 120\s+│\s+│/);
    // A run that failed before it was judged reports no usage: no tokens.
    expect(rows).toMatch(/│ Broken line\s+│ ERROR\s+│ 0\/0\s+│ —\s+│ agent_error \(424\): The agent under test did not answer\./);
    // `any`: one criterion passing is enough, and the failed one is still listed.
    expect(rows).toMatch(/│ Either way\s+│ PASS\s+│ 1\/2\s+│ 240\s+│ ✗ Agent repeated \[fails\]/);
    expect(rows).toContain('2 passed, 1 failed, 1 errored of 4 cases');
    expect(rows).toContain('model usage: 5 calls, 600 tokens (500 prompt + 100 completion), 2.5 s model time (judge 5 calls)');

    const report = xml.parse(await readFile(junit, 'utf8'));
    expect(report.testsuites).toMatchObject({ tests: '4', failures: '1', errors: '1' });
    const suite = report.testsuites.testsuite[0];
    expect(suite).toMatchObject({ name: 'Release <gate> & "checks"', tests: '4', failures: '1', errors: '1', skipped: '0' });
    const properties = Object.fromEntries(suite.properties.property.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(properties).toMatchObject({ suite_id: mixed.suiteId, target_agent_id: mixed.agentId });
    const byName = Object.fromEntries(suite.testcase.map((c: { name: string }) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['Broken line', 'Either way', 'Hours', 'Refund']);
    expect(byName.Refund.failure.message).toBe('1 of 2 criteria failed');
    expect(byName.Refund.failure['#text']).toBe(
      `✗ Agent confirmed the order ${FAIL_MARKER}: The agent never did this: "Agent confirmed the order ${FAIL_MARKER}" <not met> & noted.`,
    );
    expect(byName.Refund.classname).toBe('Release <gate> & "checks"');
    expect(byName.Refund['system-out']).toContain('persona: Hello, I need help with <order> & "refund".');
    expect(byName['Broken line'].error).toMatchObject({
      type: 'agent_error',
      message: 'agent_error (424): The agent under test did not answer.',
    });
    expect(byName.Hours.failure).toBeUndefined();
    expect(byName['Either way'].failure).toBeUndefined();
  });

  it('--json prints the full session on stdout and keeps progress on stderr', async () => {
    const result = await sims([...global(), '--json', 'run', mixed.suiteId, '--interval', '20']);
    expect(result.code, explain(result)).toBe(1);
    const session = JSON.parse(result.stdout);
    expect(session).toMatchObject({
      suite_id: mixed.suiteId,
      total_simulations: 4,
      completed_simulations: 3,
      failed_simulations: 1,
      pending_simulations: 0,
    });
    expect(session.simulations).toHaveLength(4);
    expect(session.simulations.every((s: { timeline: unknown[] }) => s.timeline.length === 2)).toBe(true);
    // The session's usage, summed by the server from its finished runs, and each run's own.
    expect(session.usage).toStrictEqual(judgeUsage(5));
    expect(session.simulations.map((s: { simulation_case_name: string; usage: unknown }) => [s.simulation_case_name, s.usage])).toEqual(
      expect.arrayContaining([
        ['Refund', judgeUsage(2)],
        ['Broken line', null],
      ]),
    );
    expect(result.stderr).toContain('progress: 4/4 done');
  });

  it('simulations get shows a run’s usage and divergence; sessions get the session’s usage line', async () => {
    const replay = await seedSuite(server, 'Replayed call', [
      { name: 'Parcel', prompt: `Ask when the parcel arrives ${REPLAY_MARKER}.`, criteria: ['Agent gave a date'] },
    ]);
    const run = await sims([...global(), '--json', 'run', replay.suiteId, '--interval', '20']);
    expect(run.code, explain(run)).toBe(0);
    const session = JSON.parse(run.stdout);
    const id = session.simulations[0].simulation_id;

    const shown = await sims([...global(), 'simulations', 'get', id]);
    expect(shown.code, explain(shown)).toBe(0);
    expect(shown.stdout).toMatch(/^usage:\n {2}persona:\n {4}calls: 0\n/m);
    expect(shown.stdout).toMatch(/^ {2}judge:\n {4}calls: 1\n {4}prompt_tokens: 100\n {4}completion_tokens: 20\n {4}latency_ms: 500\n/m);
    expect(shown.stdout).toMatch(
      /^divergence:\n {2}turn: 2\n {2}expected: Your parcel arrives on Monday\.\n {2}actual: Certainly, let me look\.\n {2}similarity: 0\n/m,
    );
    const json = JSON.parse((await sims([...global(), '--json', 'simulations', 'get', id])).stdout);
    expect(json).toMatchObject({ usage: judgeUsage(1), divergence: { turn: 2, similarity: 0, actual: 'Certainly, let me look.' } });

    const sessionShown = await sims([...global(), 'sessions', 'get', session.simulation_session_id]);
    expect(sessionShown.code, explain(sessionShown)).toBe(0);
    expect(sessionShown.stdout).toMatch(/│ Parcel\s+│ PASS\s+│ 1\/1\s+│ 120\s+│/);
    expect(lines(sessionShown.stdout).at(-1)).toBe(
      'model usage: 1 call, 120 tokens (100 prompt + 20 completion), 0.5 s model time (judge 1 call)',
    );
  });

  it('exits 2 with one line naming status, code, message and request id for an unknown suite', async () => {
    const result = await sims([...global(), 'run', 'no-such-suite', '--junit', join(dir, 'never.xml')]);
    expect(result.code, explain(result)).toBe(2);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: 404 not_found: .*no-such-suite.* \[request req_[0-9a-f]{32}\]\n$/);
    await expect(readFile(join(dir, 'never.xml'))).rejects.toThrow();
  });

  it("exits 2 for a refused key and for an agent other than the suite's", async () => {
    const unauthorized = await sims(['--base-url', server.url, '--api-key', 'sk_wrong', 'run', mixed.suiteId]);
    expect(unauthorized.code, explain(unauthorized)).toBe(2);
    expect(unauthorized.stderr).toMatch(/^error: 401 unauthorized: .* \[request req_[0-9a-f]{32}\]\n$/);

    const otherAgent = await sims([...global(), 'run', mixed.suiteId, '--agent', passing.agentId]);
    expect(otherAgent.code, explain(otherAgent)).toBe(2);
    expect(lines(otherAgent.stderr)).toHaveLength(1);
    expect(otherAgent.stderr).toMatch(/^error: 422 validation_failed: /);
    expect(otherAgent.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads the key and base URL from SIMS_API_KEY and SIMS_BASE_URL', async () => {
    const result = await sims(['run', passing.suiteId, '--interval', '20'], {
      env: { SIMS_API_KEY: server.key, SIMS_BASE_URL: server.url },
    });
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toContain('2 passed, 0 failed of 2 cases');
  });
});

describe('sims run that does not finish', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Runs stay queued for ever: the only way out is the time-out.
    server = await startTestServer(() => new QueueOnlyEngine());
  });
  afterAll(() => server?.stop());

  it('exits 2 with one time-out line after --timeout', async () => {
    const seeded = await seedSuite(server, 'Stuck suite', [{ name: 'Waits', prompt: 'Wait.', criteria: ['Agent answered'] }]);
    const result = await sims([
      '--base-url',
      server.url,
      '--api-key',
      server.key,
      'run',
      seeded.suiteId,
      '--timeout',
      '1',
      '--interval',
      '50',
    ]);
    expect(result.code, explain(result)).toBe(2);
    expect(result.stdout).toBe('');
    const errors = lines(result.stderr).filter((line) => line.startsWith('error:'));
    expect(errors).toEqual([expect.stringMatching(/^error: timed out: suite .* did not finish within 1000 ms$/)]);
    expect(result.stderr).toContain('progress: 0/1 done | completed 0 | failed 0 | pending 1');
  });
});
