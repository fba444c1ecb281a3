import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { mintKey } from '../src/keys.js';
import type { RunningServer } from '../src/server.js';
import { copyDatabase, TargetNotEmptyError } from '../src/storage/copy.js';
import { agentRecord } from './support/agents.js';
import { startPostgresServer } from './support/postgres-server.js';
import { apiClient, type ApiClient, otherWorkspace, raw, seed, startTestServer, tempDir } from './support/server.js';
import { storesForFile } from './support/stores.js';

/**
 * `sims-server copy` (issue 11): a SQLite database written through a real server — two workspaces,
 * a revoked key, agents with secrets, suites run to the end with timelines and verdicts, replayable
 * idempotent requests — copied to PostgreSQL, then read through a server on PostgreSQL: every get and
 * every list page answers byte for byte what the SQLite server answered.
 */
const { freshSchema } = storesForFile();

const execute = promisify(execFile);
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function waitForSession(api: ApiClient, id: string): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    const session = (await api.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: id } } }))
      .data!.response;
    if (session.pending_simulations === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`session ${id} did not finish`);
}

/** Writes a workspace's records through the API: what each kind of read then has to answer. */
async function populate(
  server: RunningServer,
  key: string,
  label: string,
): Promise<{ executeKey: string; suiteId: string; agentId: string }> {
  const api = apiClient(server.url, key);
  const ids = await seed(api, 3);
  // Secrets as written (headers, api_key) are stored and copied; reads show only that they are set.
  const secret = await api.POST('/agents', {
    body: {
      name: `Ärger Büro ${label}`,
      prompt: 'Webhook agent',
      connector: { kind: 'http', url: 'https://agent.example.com/turn', headers: { Authorization: 'Bearer s3cret' } },
    },
  });
  expect(secret.response.status).toBe(200);
  // Its signing secret rotated: the new one, the previous one and its expiry are stored and copied.
  const rotated = await api.POST('/agents/{agent_id}/rotate_signing_secret', { params: { path: { agent_id: secret.data!.response.id } } });
  expect(rotated.response.status).toBe(200);
  await api.POST('/agents', {
    body: {
      name: `Model ${label}`,
      prompt: 'Model agent',
      connector: {
        kind: 'openai',
        base_url: 'https://llm.example.com/v1',
        model: 'm',
        api_key: 'sk-secret',
        tools: [
          { name: 'lookup_order', description: 'Finds an order', parameters: { type: 'object', properties: { id: { type: 'string' } } } },
        ],
        max_tool_rounds: 2,
      },
    },
  });
  await api.POST('/agents', { body: { name: `Builtin ${label}`, prompt: 'p', connector: { kind: 'builtin', latency_ms: 0 } } });
  // Runs go to the suite's agent (a suite is executed against its own `model_id`).
  const target = { id: ids.agentId };
  const scripted = await api.POST('/simulation_cases', {
    body: {
      name: `Scripted ${label}`,
      prompt: 'You ask for the opening hours.',
      success_criteria: ['Agent answered', 'Agent was polite'],
      call_success_type: 'any',
      suite_id: ids.suiteId,
      base_agent_id: ids.agentId,
      caller_turns: ['When are you open?', 'Thanks'],
      checks: [{ kind: 'contains', text: 'open', side: 'agent' }],
      // Copied as the case's columns and with each run's input; each finished run has its usage column.
      tool_mocks: [{ name: 'lookup_order', arguments: { id: 'A-1' }, result: { status: 'shipped «today»' } }],
      expected_agent_turns: ['', 'We open at nine.'],
    },
  });
  expect(scripted.response.status, scripted.response.statusText).toBe(200);
  await api.PUT('/simulation_suites/{suite_id}', { params: { path: { suite_id: ids.suiteId } }, body: { name: `Renamed ${label}` } });
  await api.POST('/simulation_scenarios', { body: { name: `Angry ${label}`, description: 'The caller is angry.' } });
  const executeKey = `execute-${label}`;
  const executed = await api.POST('/simulation_suites/{suite_id}/execute', {
    params: {
      path: { suite_id: ids.suiteId },
      query: { target_agent_id: target.id, max_turns: 10 },
      header: { 'Idempotency-Key': executeKey },
    },
  });
  expect(executed.response.status, JSON.stringify(executed.error)).toBe(200);
  const single = await api.POST('/simulations', {
    body: {
      simulation_case_id: ids.caseIds[0]!,
      target_agent_id: target.id,
      simulation_session_id: executed.data!.session_id,
      custom_variables: { order_id: '42', nested: { a: [1, 2.5, 'x'] } },
      max_turns: 10,
    },
  });
  expect(single.response.status).toBe(200);
  await waitForSession(api, executed.data!.session_id);
  // A second session, and a deleted case whose runs keep their history.
  const again = await api.POST('/simulation_suites/{suite_id}/execute', {
    params: { path: { suite_id: ids.suiteId }, query: { target_agent_id: target.id, max_turns: 10 } },
  });
  await waitForSession(api, again.data!.session_id);
  await api.DELETE('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: ids.caseIds[1]! } } });
  return { executeKey, suiteId: ids.suiteId, agentId: target.id };
}

type Items = { response: { items?: Array<Record<string, unknown>>; total?: number; pagination?: { total_records: number } } };

/**
 * Every read of the workspace as text, keyed by request: each list in pages of two (and with its
 * filters), then every record by id as the lists name them. Ids come from the first server's lists;
 * the same requests are replayed on the second.
 */
async function readAll(base: string, key: string, paths?: string[]): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  const get = async (path: string) => {
    const answer = await raw(`${base}${path}`, { key });
    answers.set(path, `${answer.status} ${answer.text}`);
    return answer;
  };
  if (paths) {
    for (const path of paths) await get(path);
    return answers;
  }
  const paged = async (path: string) => {
    const all: Array<Record<string, unknown>> = [];
    for (let page = 1; page < 100; page += 1) {
      const answer = await get(`${path}${path.includes('?') ? '&' : '?'}page_size=2&page_number=${page}`);
      expect(answer.status, answer.text).toBe(200);
      const items = (answer.json as Items).response.items ?? [];
      all.push(...items);
      if (items.length < 2) break;
    }
    return all;
  };
  const agents = await paged('/agents');
  await paged('/agents?search=%C3%A4rger');
  for (const agent of agents) {
    await get(`/agents/${agent.id}`);
    await get(`/simulation_cases/by_agent?agent_id=${agent.id}`);
    await paged(`/simulations?target_agent_id=${agent.id}`);
    await paged(`/simulations/sessions?target_agent_id=${agent.id}`);
    await paged(`/simulation_suites?model_ids=${agent.id}`);
  }
  const suites = await paged('/simulation_suites');
  await paged('/simulation_suites?search=renamed&start_date=2000-01-01T00:00:00Z');
  for (const suite of suites) {
    await get(`/simulation_suites/${suite.id}`);
    await paged(`/simulation_cases?suite_id=${suite.id}`);
  }
  for (const c of await paged('/simulation_cases')) await get(`/simulation_cases/${c.simulation_case_id}`);
  await paged('/simulation_cases?simulation_case_type=custom&search=case');
  for (const s of await paged('/simulation_scenarios')) await get(`/simulation_scenarios/${s.id}`);
  await paged('/simulation_scenarios?search=angry&end_date=2100-01-01T00:00:00Z');
  for (const session of await paged('/simulations/sessions')) {
    await get(`/simulations/session/${session.simulation_session_id}`);
    await paged(`/simulations?simulation_session_id=${session.simulation_session_id}`);
  }
  for (const s of await paged('/simulations')) await get(`/simulations/${s.simulation_id}`);
  for (const status of ['completed', 'failed', 'in-progress']) await paged(`/simulations?status=${status}`);
  return answers;
}

/**
 * The stored rows on both sides, table by table: every SQLite column with its value, in SQLite's
 * insertion order, against the same columns of PostgreSQL in its own (`seq`); events by run and number.
 */
async function storedRows(dataDir: string, url: string) {
  const sqlite = new BetterSqlite3(join(dataDir, 'sims.db'), { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = [
      'workspaces',
      'api_keys',
      'agents',
      'suites',
      'cases',
      'scenarios',
      'sessions',
      'simulations',
      'webhook_endpoints',
      'webhook_deliveries',
      'idempotency_keys',
    ];
    const pairs = [];
    for (const table of tables) {
      // Idempotency records have no insertion order to keep (no list reads them): by key on both sides.
      const [order, pgOrder] = table === 'idempotency_keys' ? ['workspace_id, key', 'workspace_id, key'] : ['rowid', 'seq'];
      const rows = sqlite.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all() as Array<Record<string, unknown>>;
      const columns = sqlite.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>;
      const there = await client.query(`SELECT ${columns.map((c) => c.name).join(', ')} FROM ${table} ORDER BY ${pgOrder}`);
      pairs.push({ table, sqlite: rows, postgres: there.rows });
    }
    const events = sqlite
      .prepare(
        'SELECT simulation_runs.simulation_id, n AS seq, at, item FROM simulation_events JOIN simulation_runs USING (run) ORDER BY simulation_id, n',
      )
      .all();
    const pgEvents = await client.query(
      'SELECT simulation_id, seq, at, item FROM simulation_events ORDER BY simulation_id COLLATE "C", seq',
    );
    pairs.push({ table: 'simulation_events', sqlite: events, postgres: pgEvents.rows });
    return pairs;
  } finally {
    sqlite.close();
    await client.end();
  }
}

/** A SQLite database written through a real server, stopped: its data directory, keys and what it answered. */
async function sqliteDatabase() {
  const server = await startTestServer();
  try {
    const keyA = server.key;
    const keyB = await otherWorkspace(server);
    const workspaceA = (await server.storage.workspaces.list())[0]!.id;
    const revoked = await mintKey(server.storage, workspaceA, 'old');
    await server.storage.apiKeys.revoke(revoked.record.id, new Date().toISOString());
    // Three agents with one `created_at`: lists break the tie by insertion order, which must survive.
    const at = new Date().toISOString();
    for (const name of ['Tie one', 'Tie two', 'Tie three']) await server.storage.agents.create(agentRecord(workspaceA, name, at));
    // A webhook endpoint with its secrets, and the outbox the runs below fill: a loopback URL the
    // outbound guard refuses at every attempt, so deliveries are attempted (and logged) without traffic.
    await server.storage.webhooks.create({
      id: randomUUID(),
      workspace_id: workspaceA,
      url: 'http://127.0.0.1:9/hooks',
      event_types: ['simulation.completed', 'simulation.failed', 'session.completed', 'session.cancelled'],
      description: 'Copied',
      enabled: true,
      disabled_reason: null,
      secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYg==',
      previous_secret: null,
      previous_secret_expires_at: null,
      failing_since: null,
      created_at: at,
      updated_at: at,
    });
    const a = await populate(server, keyA, 'A');
    const b = await populate(server, keyB, 'B');
    const answersA = await readAll(server.url, keyA);
    const answersB = await readAll(server.url, keyB);
    const replay = await raw(`${server.url}/simulation_suites/${a.suiteId}/execute?target_agent_id=${a.agentId}&max_turns=10`, {
      method: 'POST',
      key: keyA,
      headers: { 'Idempotency-Key': a.executeKey },
    });
    return { dataDir: server.dataDir, keyA, keyB, revokedKey: revoked.key, answersA, answersB, a, b, replay };
  } finally {
    await server.stop();
  }
}

describe('sims-server copy: SQLite to PostgreSQL', () => {
  it('copies every record: every get and list page answers byte for byte, keys authenticate, the revoked one stays refused', async () => {
    const source = await sqliteDatabase();
    expect(source.answersA.size).toBeGreaterThan(80);
    const target = await freshSchema();

    const counts = Object.fromEntries((await copyDatabase({ fromDir: source.dataDir, toUrl: target })).map((c) => [c.kind, c.count]));
    expect(counts).toMatchObject({ workspaces: 2, 'api keys': 3, agents: 11, suites: 2, cases: 6, scenarios: 4, sessions: 4 });
    // Each workspace: 4 cases on the first run plus one single run, 3 on the second (one case was deleted after).
    expect(counts.simulations).toBe(2 * (5 + 4));
    expect(counts['timeline events']).toBeGreaterThan(counts.simulations! * 2);
    expect(counts['idempotency records']).toBe(2);
    expect(counts['webhook endpoints']).toBe(1);
    // Workspace A's runs and sessions, each an event to its endpoint.
    expect(counts['webhook deliveries']).toBeGreaterThanOrEqual(5 + 4);
    // Column by column as stored (hashes, JSON text, a run's own updated_at beside its events'), in insertion order.
    const stored = await storedRows(source.dataDir, target);
    for (const { table, sqlite, postgres } of stored) {
      expect(postgres.length, table).toBeGreaterThan(0);
      expect(postgres, table).toEqual(sqlite);
    }
    // Agents made through the API have signing secrets, the rotated ones a previous secret too; those stored directly have none.
    const agentRows = stored.find((t) => t.table === 'agents')!.postgres;
    expect(agentRows.filter((row) => row.previous_signing_secret && row.previous_signing_secret_expires_at)).toHaveLength(2);
    expect(agentRows.filter((row) => row.signing_secret === null)).toHaveLength(3);

    const server = await startPostgresServer(target);
    try {
      expect(server.firstStart).toBeUndefined();
      const answersA = await readAll(server.url, source.keyA, [...source.answersA.keys()]);
      const answersB = await readAll(server.url, source.keyB, [...source.answersB.keys()]);
      for (const [path, answer] of source.answersA) expect(answersA.get(path), path).toBe(answer);
      for (const [path, answer] of source.answersB) expect(answersB.get(path), path).toBe(answer);

      expect((await raw(`${server.url}/agents`, { key: source.keyA })).status).toBe(200);
      expect((await raw(`${server.url}/agents`, { key: source.keyB })).status).toBe(200);
      expect((await raw(`${server.url}/agents`, { key: source.revokedKey })).status).toBe(401);
      // The idempotent execute replays the stored answer on PostgreSQL too (no second session).
      const replay = await raw(
        `${server.url}/simulation_suites/${source.a.suiteId}/execute?target_agent_id=${source.a.agentId}&max_turns=10`,
        {
          method: 'POST',
          key: source.keyA,
          headers: { 'Idempotency-Key': source.a.executeKey },
        },
      );
      expect(replay.status).toBe(source.replay.status);
      expect(replay.text).toBe(source.replay.text);
      // Keys listed in the same order with the same fields, revoked one included.
      const keys = await server.storage.apiKeys.list();
      expect(keys.map((k) => [k.name, k.revoked_at === null])).toEqual([
        ['default', true],
        ['default', true],
        ['old', false],
      ]);
    } finally {
      await server.stop();
    }

    // Into a database that holds records: refused, nothing written.
    const again = copyDatabase({ fromDir: source.dataDir, toUrl: target });
    await expect(again).rejects.toBeInstanceOf(TargetNotEmptyError);
    await expect(again).rejects.toThrow(/not empty \(2 workspaces, 3 api keys, 11 agents/);
  });

  it('runs as a command: counts per kind on stdout and exit 0; exit 1 with the reason for a target that is not empty', async () => {
    const dataDir = await tempDir();
    const server = await startTestServer({ dataDir });
    await apiClient(server.url, server.key).POST('/agents', { body: { name: 'Only agent', prompt: 'p' } });
    await server.stop();
    const target = await freshSchema();
    const cli = (...args: string[]) => execute(process.execPath, [tsx, main, ...args], { env: { ...process.env, SIMS_DATA_DIR: dataDir } });

    const { stdout, stderr } = await cli('copy', '--to', target);
    expect(stdout.trim().split('\n')).toEqual([
      'workspaces\t1',
      'api keys\t1',
      'agents\t1',
      'suites\t0',
      'cases\t0',
      'scenarios\t0',
      'sessions\t0',
      'simulations\t0',
      'timeline events\t0',
      'webhook endpoints\t0',
      'webhook deliveries\t0',
      'idempotency records\t0',
    ]);
    expect(stderr).toContain('copied');

    const refused = await cli('copy', '--from', dataDir, '--to', target).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stdout).toBe('');
    expect(refused?.stderr).toMatch(/not empty \(1 workspaces, 1 api keys, 1 agents\)/);
    expect(refused?.stderr).not.toContain('Usage:');

    const missing = await cli('copy', '--from', `${dataDir}/nowhere`, '--to', target).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(missing?.code).toBe(1);
    expect(missing?.stderr).toContain('no SQLite database at');
  });
});
