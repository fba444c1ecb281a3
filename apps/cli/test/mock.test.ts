import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '@sims/testkit';
import { explain, sims, type CliResult } from './support/cli.js';

// Ids of the spec's examples, which the Prism mock answers with.
const SUITE_ID = '3c1f8a2e-5d4b-4e7a-9c6f-1a2b3c4d5e6f';
const AGENT_ID = '6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f';
const CASE_ID = '9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d';
const SESSION_ID = '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d';
const SIMULATION_ID = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const ENDPOINT_ID = '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a';
const DELIVERY_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const prismUrl = inject('prismUrl');
const run = (...args: string[]) => sims(['--base-url', prismUrl, '--api-key', 'sk_test', ...args]);
const json = async (...args: string[]) => {
  const result = await run('--json', ...args);
  expect(result.code, explain(result)).toBe(0);
  return JSON.parse(result.stdout);
};
/** A failure: exit 2, nothing on stdout, one line on stderr. */
const oneLine = (result: CliResult, pattern: RegExp) => {
  expect(result.code, explain(result)).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(pattern);
};
const ok = (result: CliResult) => {
  expect(result.code, explain(result)).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout;
};

describe('every command against the Prism mock (which refuses requests that break the spec)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sims-cli-mock-'));
  });

  it('health', async () => {
    expect(ok(await run('health'))).toMatch(/^version: /m);
    // Unauthenticated: works without a key too.
    const keyless = await sims(['--base-url', prismUrl, 'health']);
    expect(keyless.code, explain(keyless)).toBe(0);
  });

  describe('agents', () => {
    it('list, as a table and as JSON', async () => {
      const out = ok(await run('agents', 'list', '--search', 'Acme'));
      expect(out).toMatch(new RegExp(`│ ${AGENT_ID} │ Acme Support │ inbound │ builtin\\s+│`));
      expect(out).toMatch(/^1 agent$/m);
      expect((await json('agents', 'list')).map((a: { id: string }) => a.id)).toEqual([AGENT_ID]);
    });
    it('get, create from flags and from a YAML file, update, delete', async () => {
      expect((await json('agents', 'get', AGENT_ID)).id).toBe(AGENT_ID);
      expect(ok(await run('agents', 'get', AGENT_ID))).toMatch(/^name: Acme Support$/m);
      expect((await json('agents', 'create', '--name', 'Acme', '--prompt', 'You help.', '--agent-type', 'inbound')).id).toBeTruthy();
      const file = join(dir, 'agent.yaml');
      await writeFile(file, 'name: Acme\nprompt: You help.\nconnector:\n  kind: builtin\n');
      expect((await json('agents', 'create', '--file', file)).connector.kind).toBe('builtin');
      expect((await json('agents', 'update', AGENT_ID, '--name', 'Renamed')).id).toBe(AGENT_ID);
      expect(ok(await run('agents', 'delete', AGENT_ID))).toBe(`deleted agent ${AGENT_ID}\n`);
    });
  });

  describe('suites', () => {
    it('list with filters, get, create (flags and JSON file), update, delete', async () => {
      const out = ok(await run('suites', 'list', '--agent', AGENT_ID, '--agent', 'other', '--since', '2026-01-01', '--search', 'Support'));
      expect(out).toMatch(new RegExp(`│ ${SUITE_ID} │ Customer Support Tests │ Acme Support │ en-US\\s+│ 2\\s+│`));
      expect((await json('suites', 'get', SUITE_ID)).cases).toHaveLength(2);
      expect((await json('suites', 'create', '--name', 'Gate', '--agent', AGENT_ID)).id).toBeTruthy();
      const file = join(dir, 'suite.json');
      await writeFile(file, JSON.stringify({ name: 'Gate', model_id: AGENT_ID, language: 'de-DE' }));
      expect((await json('suites', 'create', '--file', file)).id).toBeTruthy();
      expect((await json('suites', 'update', SUITE_ID, '--name', 'Renamed', '--language', 'en-GB')).id).toBe(SUITE_ID);
      expect(ok(await run('suites', 'delete', SUITE_ID))).toBe(`deleted suite ${SUITE_ID}\n`);
    });
    it('execute starts a session without waiting', async () => {
      expect(ok(await run('suites', 'execute', SUITE_ID, '--max-turns', '12'))).toBe(
        `started session ${SESSION_ID}: 2 cases of Customer Support Tests\n`,
      );
      expect(await json('suites', 'execute', SUITE_ID, '--agent', AGENT_ID)).toMatchObject({ session_id: SESSION_ID, status: 'started' });
    });
  });

  describe('cases', () => {
    it('list with filters, by-agent, get', async () => {
      const out = ok(await run('cases', 'list', '--suite', SUITE_ID, '--type', 'custom', '--search', 'refund'));
      expect(out).toMatch(new RegExp(`│ ${CASE_ID} │ Handles refund request │ ${SUITE_ID} │ 3\\s+│ all\\s+│`));
      expect((await json('cases', 'by-agent', AGENT_ID)).length).toBeGreaterThan(0);
      expect((await json('cases', 'get', CASE_ID)).simulation_case_id).toBe(CASE_ID);
    });
    it('create from flags, from a file with flags overriding it, and from stdin; update; delete', async () => {
      const created = await json(
        'cases',
        'create',
        '--name',
        'Refund',
        '--prompt',
        'Ask for a refund.',
        '--criterion',
        'Offered a refund',
        '--criterion',
        'Was polite',
        '--success-type',
        'all',
        '--suite',
        SUITE_ID,
      );
      expect(created.simulation_case_id).toBeTruthy();
      const file = join(dir, 'case.yml');
      await writeFile(file, 'name: From file\nprompt: Ask.\nsuccess_criteria: [Answered]\ncall_success_type: any\n');
      expect((await json('cases', 'create', '--file', file, '--name', 'Flag wins')).simulation_case_id).toBeTruthy();
      const piped = await sims(['--base-url', prismUrl, '--api-key', 'k', '--json', 'cases', 'create', '--file', '-'], {
        input: JSON.stringify({ name: 'Piped', prompt: 'Ask.', success_criteria: ['Answered'], call_success_type: 'all' }),
      });
      expect(piped.code, explain(piped)).toBe(0);
      expect((await json('cases', 'update', CASE_ID, '--criterion', 'New criterion')).simulation_case_id).toBe(CASE_ID);
      expect(ok(await run('cases', 'delete', CASE_ID))).toBe(`deleted case ${CASE_ID}\n`);
    });
  });

  describe('scenarios', () => {
    it('list, get, create, update, delete', async () => {
      const [first] = await json('scenarios', 'list', '--search', 'mind', '--until', '2030-01-01T00:00:00Z');
      expect(ok(await run('scenarios', 'list'))).toMatch(/^1 scenario$/m);
      expect((await json('scenarios', 'get', first.id)).id).toBe(first.id);
      expect((await json('scenarios', 'create', '--name', 'Angry', '--description', 'The caller is angry.')).id).toBeTruthy();
      expect((await json('scenarios', 'update', first.id, '--description', 'Calmer.')).id).toBe(first.id);
      expect(ok(await run('scenarios', 'delete', first.id))).toBe(`deleted scenario ${first.id}\n`);
    });
  });

  describe('simulations and sessions', () => {
    it('list simulations with filters, get one, start one, wait for one', async () => {
      const out = ok(await run('simulations', 'list', '--session', SESSION_ID, '--status', 'completed', '--agent', AGENT_ID));
      expect(out).toMatch(new RegExp(`│ ${SIMULATION_ID} │ Handles refund request │ completed │ failed\\s+│`));
      expect((await json('simulations', 'get', SIMULATION_ID)).simulation_id).toBe(SIMULATION_ID);
      const started = await json(
        'simulations',
        'start',
        '--case',
        CASE_ID,
        '--agent',
        AGENT_ID,
        '--max-turns',
        '15',
        '--var',
        'customer_name=Dana',
        '--var',
        'order=1',
      );
      expect(started.simulation_id).toBeTruthy();
      // The mock's simulation is completed with a failed criterion: shown, and exit 1.
      const waited = await run('simulations', 'wait', SIMULATION_ID, '--interval', '10');
      expect(waited.code, explain(waited)).toBe(1);
      expect(waited.stdout).toMatch(/^status: completed$/m);
    });
    it('list sessions and show one with its results table', async () => {
      expect(ok(await run('sessions', 'list', '--agent', AGENT_ID))).toMatch(
        new RegExp(`│ ${SESSION_ID} │ ${SUITE_ID} │ 2\\s+│ 1\\s+│ 1\\s+│ 0\\s+│`),
      );
      const out = ok(await run('sessions', 'get', SESSION_ID));
      expect(out).toContain(`session ${SESSION_ID}: 2 simulations, completed 1, failed 1, pending 0`);
      // Not a terminal: the table is 100 columns wide and the reasoning wraps; COLUMNS widens it.
      expect(Math.max(...out.split('\n').map((line) => [...line].length))).toBe(100);
      expect(out).toMatch(
        /│ Handles refund request │ FAIL\s+│ 2\/3\s+│ —\s+│ ✗ Agent provided a resolution: No\s+│\n│\s+│\s+│\s+│\s+│ resolution was confirmed/,
      );
      const wide = await sims(['--base-url', prismUrl, '--api-key', 'sk_test', 'sessions', 'get', SESSION_ID], { env: { COLUMNS: '120' } });
      expect(
        Math.max(
          ...ok(wide)
            .split('\n')
            .map((line) => [...line].length),
        ),
      ).toBe(120);
      expect(wide.stdout).toMatch(
        /│ Handles refund request │ FAIL\s+│ 2\/3\s+│ —\s+│ ✗ Agent provided a resolution: No resolution was confirmed/,
      );
      expect((await json('sessions', 'get', SESSION_ID)).simulation_session_id).toBe(SESSION_ID);
    });
  });

  describe("cancel (the mock answers the spec's cancelled examples; refusals are in cancel.test.ts against the real server)", () => {
    it('simulations cancel: one line naming the run, or the cancelled simulation as JSON', async () => {
      expect(ok(await run('simulations', 'cancel', SIMULATION_ID))).toBe(
        `cancelled simulation ${SIMULATION_ID} (Handles refund request)\n`,
      );
      expect(await json('simulations', 'cancel', SIMULATION_ID)).toMatchObject({
        simulation_id: SIMULATION_ID,
        status: 'failed',
        error_info: { code: 499, type: 'cancelled' },
      });
    });
    it('sessions cancel: one line with what was stopped and the counters after, or the answer as JSON', async () => {
      expect(ok(await run('sessions', 'cancel', SESSION_ID))).toBe(
        `cancelled session ${SESSION_ID}: 3 simulations stopped; of 10, completed 7, failed 3 (cancelled included), pending 0\n`,
      );
      expect(await json('sessions', 'cancel', SESSION_ID)).toEqual({
        simulation_session_id: SESSION_ID,
        cancelled_simulations: 3,
        cancelled_at: '2026-11-20T09:21:02Z',
        total_simulations: 10,
        completed_simulations: 7,
        failed_simulations: 3,
        pending_simulations: 0,
      });
    });
  });

  describe('webhooks', () => {
    it('list, get (never the secret), delete', async () => {
      const out = ok(await run('webhooks', 'list'));
      expect(out).toMatch(
        new RegExp(`│ ${ENDPOINT_ID} │ https://hooks.example.org/sims │ session.completed, session.cancelled │ yes\\s+│ CI dashboard │`),
      );
      expect(out).toMatch(/^1 endpoint$/m);
      expect((await json('webhooks', 'list')).map((e: { id: string }) => e.id)).toEqual([ENDPOINT_ID]);
      const shown = ok(await run('webhooks', 'get', ENDPOINT_ID));
      expect(shown).toMatch(/^url: https:\/\/hooks\.example\.org\/sims$/m);
      expect(shown).not.toContain('whsec_');
      expect((await json('webhooks', 'get', ENDPOINT_ID)).enabled).toBe(true);
      expect(ok(await run('webhooks', 'delete', ENDPOINT_ID))).toBe(`deleted webhook endpoint ${ENDPOINT_ID}\n`);
      expect(await json('webhooks', 'delete', ENDPOINT_ID)).toEqual({ deleted: true, kind: 'webhook endpoint', id: ENDPOINT_ID });
    });

    it('create prints the endpoint, then its secret once with the note to keep it; --json the answer with the secret', async () => {
      const out = ok(
        await run(
          'webhooks',
          'create',
          '--url',
          'https://hooks.example.org/sims',
          '--events',
          'session.completed, session.cancelled',
          '--description',
          'CI',
        ),
      );
      expect(out).toMatch(new RegExp(`^id: ${ENDPOINT_ID}$`, 'm'));
      expect(out).toContain(`\nsecret: ${SECRET}\nKeep this secret now: it is never shown again. Verify each delivery with it:`);
      expect(out.match(/whsec_/g)).toHaveLength(1);
      const answer = await json('webhooks', 'create', '--url', 'https://hooks.example.org/sims');
      expect(answer).toMatchObject({ endpoint: { id: ENDPOINT_ID }, secret: SECRET });
      const file = join(dir, 'webhook.yaml');
      await writeFile(file, 'url: https://hooks.example.org/from-file\nevent_types: [simulation.failed]\n');
      expect((await json('webhooks', 'create', '--file', file, '--description', 'flag')).secret).toBe(SECRET);
    });

    it('create and update refuse an unknown event type, a missing --url, and --enable with --disable, before any call', async () => {
      const port = await freePort();
      const offline = (...args: string[]) => sims(['--base-url', `http://127.0.0.1:${port}`, '--api-key', 'k', 'webhooks', ...args]);
      oneLine(
        await offline('create', '--url', 'https://x.example', '--events', 'session.completed,session.started'),
        /^error: option '--events <types>' argument 'session.completed,session.started' is invalid\. unknown session\.started; allowed: simulation\.completed, simulation\.failed, session\.completed, session\.cancelled\.$/,
      );
      oneLine(
        await offline('create', '--events', 'session.completed'),
        /^error: missing --url \(url\): give the flag or put the field in --file$/,
      );
      oneLine(
        await offline('update', ENDPOINT_ID, '--enable', '--disable'),
        /^error: option '--enable' cannot be used with option '--disable'$/,
      );
    });

    it('update with flags, --enable and --disable', async () => {
      expect((await json('webhooks', 'update', ENDPOINT_ID, '--enable')).id).toBe(ENDPOINT_ID);
      expect(
        (await json('webhooks', 'update', ENDPOINT_ID, '--disable', '--events', 'simulation.failed', '--url', 'https://x.example')).id,
      ).toBe(ENDPOINT_ID);
      expect(ok(await run('webhooks', 'update', ENDPOINT_ID, '--description', 'Renamed'))).toMatch(/^enabled: true$/m);
    });

    it('rotate-secret prints the new secret once with the 24-hour note', async () => {
      const out = ok(await run('webhooks', 'rotate-secret', ENDPOINT_ID));
      expect(out).toContain(
        `\nsecret: ${SECRET}\nKeep this secret now: it is never shown again. For 24 hours deliveries are signed with both`,
      );
      expect((await json('webhooks', 'rotate-secret', ENDPOINT_ID)).secret).toBe(SECRET);
    });

    it('deliveries: a table with the latest attempt, --status filter, JSON; redeliver', async () => {
      const out = ok(await run('webhooks', 'deliveries', ENDPOINT_ID, '--status', 'failed'));
      expect(out).toMatch(new RegExp(`│ ${DELIVERY_ID} │ session.completed │ delivered │ 2\\s+│ 200\\s+│\\s+│ 2026-11-20T09:20:16Z │`));
      expect(out).toMatch(/^1 delivery$/m);
      const [delivery] = await json('webhooks', 'deliveries', ENDPOINT_ID);
      expect(delivery).toMatchObject({ id: DELIVERY_ID, payload: { type: 'session.completed' } });
      const refused = await run('webhooks', 'deliveries', ENDPOINT_ID, '--status', 'lost');
      expect(refused.code, explain(refused)).toBe(2);
      expect(refused.stderr).toMatch(/Allowed choices are pending, delivered, failed\./);
      expect(ok(await run('webhooks', 'redeliver', ENDPOINT_ID, DELIVERY_ID))).toBe(
        `queued delivery ${DELIVERY_ID} (session.completed, webhook-id msg_4f1c2e3d4b5a69788796a5b4c3d2e1f0) to be sent again now\n`,
      );
      expect((await json('webhooks', 'redeliver', ENDPOINT_ID, DELIVERY_ID)).event_id).toBe('msg_4f1c2e3d4b5a69788796a5b4c3d2e1f0');
    });
  });

  it('run: progress lines, table, exit 1 when a case does not pass', async () => {
    const result = await run('run', SUITE_ID, '--interval', '10', '--max-turns', '20');
    expect(result.code, explain(result)).toBe(1);
    expect(result.stderr).toContain('progress: 2/2 done | completed 1 | failed 1 | pending 0');
    expect(result.stdout).toMatch(/│ Asks for opening hours │ ERROR\s+│ 0\/0\s+│ —\s+│ timeout \(408\)/);
    expect(result.stdout).toContain('0 passed, 1 failed, 1 errored of 2 cases');
    // The spec's examples carry no usage (as the reference API sends none): no usage line.
    expect(result.stdout).not.toContain('model usage');
  });

  describe('run with iterations and a baseline (the mock answers its report and comparison examples)', () => {
    it('--iterations and --baseline last: the per-case table with pass rates, flaky mark, change and delta, then the verdict', async () => {
      const result = await run('run', SUITE_ID, '--interval', '10', '--iterations', '3', '--baseline', 'last');
      // --fail-on any: the session's runs did not all pass.
      expect(result.code, explain(result)).toBe(1);
      expect(result.stdout).toMatch(
        /│ Handles refund request │ FLAKY\s+│ 2\/3 67%\s+│ −100% regressed │ ✗ Agent provided a resolution\s+│/,
      );
      expect(result.stdout).toMatch(/│\s+│\s+│\s+│ newly failing\s+│ \(2\/3 passed\): No resolution/);
      expect(result.stdout).toMatch(/│ Asks for opening hours │ PASS\s+│ 3\/3 100%\s+│ ±0%\s+│\s+│\n│\s+│\s+│\s+│ still passing\s+│/);
      expect(result.stdout).toContain('1 passed, 1 flaky, 0 failed of 2 cases; 5 of 6 runs passed (83%)');
      expect(result.stdout).toContain(
        'REGRESSED against session 8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b: pass rate 100% → 50% (−50%); 1 regressed, 0 improved; 1 newly failing, 1 still passing',
      );
      // The table (not the summary and verdict lines) is as wide as a pipe's default.
      const tableLines = result.stdout.split('\n').filter((line) => /^[┌│├└]/.test(line));
      expect(Math.max(...tableLines.map((line) => [...line].length))).toBe(100);
    });

    it('--fail-on regression implies --baseline last and exits 1 on the verdict regressed', async () => {
      const result = await run('run', SUITE_ID, '--interval', '10', '--fail-on', 'regression');
      expect(result.code, explain(result)).toBe(1);
      expect(result.stdout).toMatch(/^REGRESSED against session /m);
    });

    it('--json: the session with its report and comparison', async () => {
      const out = await run('--json', 'run', SUITE_ID, '--interval', '10', '--iterations', '2', '--baseline', SESSION_ID);
      expect(out.code, explain(out)).toBe(1);
      const result = JSON.parse(out.stdout);
      expect(result).toMatchObject({ simulation_session_id: SESSION_ID, total_simulations: 2 });
      expect(result.report.cases.map((c: { outcome: string }) => c.outcome)).toEqual(['flaky', 'passing']);
      expect(result.comparison.verdict).toBe('regressed');
      // Without a baseline no comparison is asked for.
      expect((await run('--json', 'run', SUITE_ID, '--interval', '10')).stdout).toMatch(/"comparison": null/);
    });

    it('sessions compare BASE HEAD: the verdict line and a row per case; --json the comparison; exit 0 even when regressed', async () => {
      const out = ok(await run('sessions', 'compare', 'last', SESSION_ID));
      expect(out.split('\n')[0]).toMatch(/^REGRESSED against session 8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b: /);
      expect(out).toMatch(/│ Handles refund request │ newly failing │ 3\/3 100%\s+│ 0\/3 0%\s+│ −100% │ regressed │/);
      expect(out).toMatch(/│ Asks for opening hours │ still passing │ 3\/3 100%\s+│ 3\/3 100%\s+│ ±0%\s+│ unchanged │/);
      expect(await json('sessions', 'compare', SESSION_ID, SESSION_ID)).toMatchObject({ verdict: 'regressed', summary: { regressed: 1 } });
    });

    it('refuses --iterations outside 1-20 and an unknown --fail-on before any call', async () => {
      for (const value of ['0', '21']) {
        const result = await run('run', SUITE_ID, '--iterations', value);
        expect(result.code, explain(result)).toBe(2);
        expect(result.stderr).toBe(`error: --iterations must be between 1 and 20, got ${value}\n`);
      }
      const notNumber = await run('run', SUITE_ID, '--iterations', 'three');
      expect(notNumber.stderr).toBe('error: --iterations must be an integer, got three\n');
      const mode = await run('run', SUITE_ID, '--fail-on', 'sometimes');
      expect(mode.code, explain(mode)).toBe(2);
      expect(mode.stderr).toMatch(/argument 'sometimes' is invalid\. Allowed choices are any, regression\./);
    });
  });

  it('generate: one line per event, or the NDJSON events with --json', async () => {
    const out = ok(
      await run(
        'generate',
        '--agent',
        AGENT_ID,
        '--suite',
        SUITE_ID,
        '--category',
        'task_completion',
        '--category',
        'angry_user',
        '--no-scenarios',
      ),
    );
    expect(out.split('\n')).toEqual([
      '[0/1] Planning 1 case from the agent prompt',
      '+ Task completion: change a delivery address (task_completion) 5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b',
      '[1/1] Generated 1 of 1 cases',
      'generated 1 case',
      '',
    ]);
    const events = ok(await run('--json', 'generate', '--agent', AGENT_ID, '--scenario', 'a', '--scenario', 'b'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((e: { type: string }) => e.type)).toEqual(['progress', 'case', 'progress', 'done']);
  });

  describe('errors: one line, exit 2, never a stack trace', () => {
    it('a request the API refuses names status, code, message and request id', async () => {
      const file = join(dir, 'bad-suite.json');
      await writeFile(file, JSON.stringify({ name: 'Gate', model_id: AGENT_ID, colour: 'red' }));
      oneLine(await run('suites', 'create', '--file', file), /^error: 422 validation_failed: .+ \[request req_[0-9a-f]+\]$/);
    });
    it('input problems found before any call', async () => {
      oneLine(
        await run('cases', 'create', '--name', 'x'),
        /^error: missing --prompt \(prompt\), --criterion \(success_criteria\), --success-type \(call_success_type\)/,
      );
      oneLine(await run('cases', 'create', '--file', join(dir, 'missing.yaml')), /^error: cannot read .*missing\.yaml: ENOENT$/);
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'name: [unclosed\n');
      oneLine(await run('cases', 'create', '--file', bad), /^error: cannot parse .*bad\.yaml: /);
      oneLine(await run('run', SUITE_ID, '--max-turns', 'many'), /^error: --max-turns must be an integer, got many$/);
      oneLine(await sims(['--base-url', prismUrl, 'suites', 'list']), /^error: no API key: pass --api-key or set SIMS_API_KEY$/);
      oneLine(await run('--region', 'mars', 'suites', 'list'), /^error: option '--region <region>' argument 'mars' is invalid/);
    });
    it('unknown commands and options', async () => {
      const unknown = await run('suites', 'explode');
      expect(unknown.code, explain(unknown)).toBe(2);
      expect(unknown.stderr).toMatch(/^error: unknown command 'explode'/);
      const option = await run('cases', 'list', '--colour');
      expect(option.code, explain(option)).toBe(2);
      expect(option.stderr).toMatch(/^error: unknown option '--colour'/);
    });
    it('an API that cannot be reached', async () => {
      const port = await freePort();
      oneLine(
        await sims(['--base-url', `http://127.0.0.1:${port}`, '--api-key', 'k', 'agents', 'list']),
        new RegExp(`^error: could not reach http://127.0.0.1:${port}: ECONNREFUSED$`),
      );
    });
  });

  it('--version and --help exit 0', async () => {
    const version = await sims(['--version']);
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await sims(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--junit <file>');
    expect(help.stdout).toContain('--iterations <n>');
    expect(help.stdout).toContain('--fail-on <mode>');
    expect(help.stdout).toMatch(/first run of a suite has no baseline to compare\s+with, which is noted on stderr and exits 0/);
  });
});
