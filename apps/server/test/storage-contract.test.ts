import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openPostgresStorage, PostgresStorage } from '../src/storage/postgres/index.js';
import { migrations as postgresMigrations } from '../src/storage/postgres/migrations.js';
import { SimulationEngine } from '../src/engine/simulation-engine.js';
import {
  type AgentRecord,
  CANCELLED,
  cancelledEvent,
  type CaseRecord,
  EMBEDDED_SIMULATIONS,
  type RunOutcome,
  type ScenarioRecord,
  type SessionRecord,
  type SimulationRecord,
  type Storage,
  type SuiteRecord,
  type TimelineItem,
  type WebhookAttempt,
  type WebhookDeliveryRecord,
  type WebhookEndpointRecord,
  type WebhookEventType,
} from '../src/storage/types.js';
import { agentRecord } from './support/agents.js';
import { eventAt, runOf, sessionRecord } from './support/records.js';
import { storesForFile } from './support/stores.js';
import { noUsage } from '../src/storage/usage.js';

/**
 * The storage contract (issue 11, item 1): the same cases run on the embedded SQLite storage and on
 * PostgreSQL, each test on a fresh store (a new SQLite file; a new schema of this file's own
 * PostgreSQL database), so that both answer every method alike — ordering, paging, filters,
 * tenancy, the run log and its counters, idempotency and keys.
 *
 * PostgreSQL is the run's server from the `postgres-setup.ts` global set-up when vitest has it, or
 * else one this file starts and stops itself.
 */
const { factories, freshSchema, closeAfterTest } = storesForFile();

/** Increasing timestamps; `tick(0)` repeats the last one (records created in one request share theirs). */
let clock = Date.parse('2025-05-01T08:00:00.000Z');
const tick = (ms = 1000) => {
  clock += ms;
  return new Date(clock).toISOString();
};

const WS = 'ws-a';
const OTHER = 'ws-b';
const page = (page_number: number, page_size: number) => ({ page_number, page_size });

const agentOf = (ws: string, name: string, extra: Partial<AgentRecord> = {}): AgentRecord =>
  agentRecord(ws, name, tick(), {
    prompt: `You are ${name}.`,
    connector: { kind: 'http', url: 'https://agent.example/turn', headers: { 'X-Secret': 's3cret' } },
    ...extra,
  });

const suiteOf = (ws: string, name: string, model_id: string): SuiteRecord => {
  const at = tick();
  return { id: randomUUID(), workspace_id: ws, name, model_id, language: 'en', created_at: at, updated_at: at };
};

const caseOf = (ws: string, name: string, extra: Partial<CaseRecord> = {}): CaseRecord => {
  const at = tick();
  return {
    simulation_case_id: randomUUID(),
    workspace_id: ws,
    suite_id: null,
    name,
    prompt: `Ask about ${name}`,
    type: 'custom',
    success_criteria: ['Polite', 'Answers «the question»'],
    call_success_type: 'all',
    checks: [{ type: 'contains', value: 'open' }] as unknown as CaseRecord['checks'],
    caller_turns: ['Hi', 'Bye [END_CALL]'],
    tool_mocks: [],
    expected_agent_turns: [],
    base_agent_id: null,
    created_at: at,
    updated_at: at,
    ...extra,
  };
};

const scenarioOf = (ws: string, name: string): ScenarioRecord => {
  const at = tick();
  return { id: randomUUID(), workspace_id: ws, name, description: `When ${name}`, created_at: at, updated_at: at };
};

const sessionOf = (ws: string, target_agent_id: string | null = 'agent-1', at = tick()): SessionRecord =>
  sessionRecord(ws, at, { target_agent_id });

const event = (i: number, sender_type?: TimelineItem['sender_type']): TimelineItem => eventAt(i, tick(), sender_type);

const ANALYSIS: SimulationRecord['success_criteria_analysis'] = {
  success: true,
  evaluations: [{ criterion: 'Polite', success: true, verdict: 'passed', reasoning: 'It was «polite».' }],
};

const ids = <T>(items: T[], id: (item: T) => string) => items.map(id);

describe.each(factories)('storage contract on $name', (factory) => {
  async function fresh(): Promise<Storage> {
    const storage = await factory.open();
    for (const ws of [WS, OTHER]) await storage.workspaces.create({ id: ws, name: `Workspace ${ws}`, created_at: tick() });
    return storage;
  }

  it('keeps workspaces and keys: lookup by hash, listing in creation order, revoke by id or unique prefix', async () => {
    const storage = await fresh();
    expect((await storage.workspaces.list()).map((w) => w.id)).toEqual([WS, OTHER]);
    expect(await storage.workspaces.get(OTHER)).toEqual({ id: OTHER, name: `Workspace ${OTHER}`, created_at: expect.any(String) });
    expect(await storage.workspaces.get('nope')).toBeUndefined();
    await expect(storage.workspaces.create({ id: WS, name: 'again', created_at: tick() })).rejects.toThrow();

    const key = (id: string, ws: string, prefix: string) => ({
      id,
      workspace_id: ws,
      name: `key ${id}`,
      prefix,
      hash: `hash-${id}`,
      created_at: tick(),
      revoked_at: null,
    });
    await storage.apiKeys.create(key('k1', WS, 'sims_abc1'));
    await storage.apiKeys.create(key('k2', OTHER, 'sims_abc2'));
    await storage.apiKeys.create(key('k3', WS, 'sims_dup'));
    await storage.apiKeys.create(key('k4', WS, 'sims_dup'));
    await expect(storage.apiKeys.create(key('k5', 'no-such-workspace', 'x'))).rejects.toThrow();

    expect((await storage.apiKeys.findActiveByHash('hash-k2'))?.workspace_id).toBe(OTHER);
    expect(await storage.apiKeys.findActiveByHash('hash-k2')).not.toHaveProperty('hash');
    expect(ids(await storage.apiKeys.list(), (k) => k.id)).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(ids(await storage.apiKeys.list(WS), (k) => k.id)).toEqual(['k1', 'k3', 'k4']);

    expect(await storage.apiKeys.revoke('sims_dup', tick())).toBeUndefined();
    const at = tick();
    expect(await storage.apiKeys.revoke('sims_abc1', at)).toMatchObject({ id: 'k1', revoked_at: at });
    expect(await storage.apiKeys.findActiveByHash('hash-k1')).toBeUndefined();
    expect(await storage.apiKeys.revoke('k1', tick())).toBeUndefined();
    expect(await storage.apiKeys.revoke('k3', at)).toMatchObject({ id: 'k3', revoked_at: at });
    // With k3 revoked, the shared prefix names one active key.
    expect(await storage.apiKeys.revoke('sims_dup', at)).toMatchObject({ id: 'k4' });
    expect((await storage.apiKeys.list(WS)).map((k) => k.revoked_at)).toEqual([at, at, at]);
    expect((await storage.apiKeys.list(OTHER))[0]!.revoked_at).toBeNull();
  });

  it('creates, reads, lists, searches, updates and deletes agents within their workspace', async () => {
    const storage = await fresh();
    const names = ['Nora', 'ÉLODIE support', 'nora two', 'Bob', 'Ünïcode NORA'];
    const agents = names.map((n) => agentOf(WS, n));
    for (const a of agents) await storage.agents.create(a);
    const foreign = agentOf(OTHER, 'Nora elsewhere');
    await storage.agents.create(foreign);

    expect(await storage.agents.get(WS, agents[1]!.id)).toStrictEqual(agents[1]);
    expect(await storage.agents.get(OTHER, agents[1]!.id)).toBeUndefined();
    const many = await storage.agents.getMany(WS, [agents[0]!.id, agents[0]!.id, foreign.id, agents[3]!.id, 'missing']);
    expect([...many.keys()].sort()).toEqual([agents[0]!.id, agents[3]!.id].sort());
    expect(await storage.agents.getMany(WS, [])).toEqual(new Map());

    const all = await storage.agents.list(WS, {}, page(1, 2));
    expect(all.total).toBe(5);
    expect(ids(all.items, (a) => a.id)).toEqual([agents[4]!.id, agents[3]!.id]);
    expect(ids((await storage.agents.list(WS, {}, page(3, 2))).items, (a) => a.id)).toEqual([agents[0]!.id]);
    expect(await storage.agents.list(WS, {}, page(4, 2))).toEqual({ items: [], total: 5 });

    const nora = await storage.agents.list(WS, { search: 'NoRa' }, page(1, 10));
    expect(ids(nora.items, (a) => a.name)).toEqual(['Ünïcode NORA', 'nora two', 'Nora']);
    expect(nora.total).toBe(3);
    expect(ids((await storage.agents.list(WS, { search: 'élodie' }, page(1, 10))).items, (a) => a.name)).toEqual(['ÉLODIE support']);
    expect(ids((await storage.agents.list(WS, { search: 'ünï' }, page(1, 10))).items, (a) => a.name)).toEqual(['Ünïcode NORA']);
    expect((await storage.agents.list(WS, { search: '%' }, page(1, 10))).total).toBe(0);

    const at = tick();
    const updated = await storage.agents.update(WS, agents[3]!.id, { name: 'Bobby Ünï', connector: { kind: 'builtin' }, updated_at: at });
    expect(updated).toStrictEqual({ ...agents[3], name: 'Bobby Ünï', connector: { kind: 'builtin' }, updated_at: at });
    expect(ids((await storage.agents.list(WS, { search: 'BOBBY ü' }, page(1, 10))).items, (a) => a.id)).toEqual([agents[3]!.id]);
    expect(await storage.agents.update(WS, agents[3]!.id, {})).toStrictEqual(updated);
    expect(await storage.agents.update(OTHER, agents[3]!.id, { name: 'hijack' })).toBeUndefined();
    expect((await storage.agents.get(WS, agents[3]!.id))!.name).toBe('Bobby Ünï');

    expect(await storage.agents.delete(OTHER, agents[0]!.id)).toBe(false);
    expect(await storage.agents.delete(WS, agents[0]!.id)).toBe(true);
    expect(await storage.agents.delete(WS, agents[0]!.id)).toBe(false);
    expect((await storage.agents.list(WS, {}, page(1, 10))).total).toBe(4);
    expect(ids((await storage.agents.list(OTHER, {}, page(1, 10))).items, (a) => a.id)).toEqual([foreign.id]);
  });

  it("keeps an agent's signing secret, and the previous one with its expiry after a rotation; none for an agent stored without", async () => {
    const storage = await fresh();
    const signed = agentOf(WS, 'Signed', { signing_secret: 'whsec_Zmlyc3Q=' });
    const unsigned = agentOf(WS, 'Unsigned');
    await storage.agents.create(signed);
    await storage.agents.create(unsigned);
    expect(await storage.agents.get(WS, signed.id)).toStrictEqual(signed);
    expect(await storage.agents.get(WS, unsigned.id)).toStrictEqual(unsigned);
    expect((await storage.agents.getMany(WS, [signed.id])).get(signed.id)).toStrictEqual(signed);

    const at = tick();
    const rotation = {
      signing_secret: 'whsec_c2Vjb25k',
      previous_signing_secret: 'whsec_Zmlyc3Q=',
      previous_signing_secret_expires_at: '2026-01-02T00:00:00.000Z',
      updated_at: at,
    };
    const rotated = await storage.agents.update(WS, signed.id, rotation);
    expect(rotated).toStrictEqual({ ...signed, ...rotation });
    expect(await storage.agents.get(WS, signed.id)).toStrictEqual(rotated);
    expect((await storage.agents.list(WS, { search: 'signed' }, page(1, 10))).items).toStrictEqual([unsigned, rotated]);
    expect(await storage.agents.update(OTHER, signed.id, { signing_secret: 'whsec_aGlqYWNr' })).toBeUndefined();
    expect((await storage.agents.get(WS, signed.id))!.signing_secret).toBe('whsec_c2Vjb25k');
    // A later edit of other fields keeps the secrets.
    const renamed = await storage.agents.update(WS, signed.id, { name: 'Signed too' });
    expect(renamed).toStrictEqual({ ...rotated, name: 'Signed too' });
  });

  it('lists suites by agent, name and date window; deleting a suite deletes its cases', async () => {
    const storage = await fresh();
    const suites = [suiteOf(WS, 'Billing', 'agent-1'), suiteOf(WS, 'Hours', 'agent-2'), suiteOf(WS, 'billing again', 'agent-1')];
    for (const s of suites) await storage.suites.create(s);
    await storage.suites.create(suiteOf(OTHER, 'Billing', 'agent-1'));
    const byModel = async (model_ids: string[]) => ids((await storage.suites.list(WS, { model_ids }, page(1, 10))).items, (s) => s.name);
    expect(await byModel(['agent-1'])).toEqual(['billing again', 'Billing']);
    expect(await byModel(['agent-1', 'agent-2', 'agent-1'])).toEqual(['billing again', 'Hours', 'Billing']);
    expect(await byModel(['nobody'])).toEqual([]);
    expect(ids((await storage.suites.list(WS, { search: 'BILL' }, page(1, 1))).items, (s) => s.name)).toEqual(['billing again']);
    expect((await storage.suites.list(WS, { search: 'BILL' }, page(1, 1))).total).toBe(2);
    const window = { start_date: suites[1]!.created_at, end_date: suites[2]!.created_at };
    expect(ids((await storage.suites.list(WS, window, page(1, 10))).items, (s) => s.id)).toEqual([suites[2]!.id, suites[1]!.id]);
    expect((await storage.suites.list(WS, { end_date: suites[0]!.created_at }, page(1, 10))).total).toBe(1);

    const at = tick();
    expect(await storage.suites.update(WS, suites[1]!.id, { model_id: 'agent-1', updated_at: at })).toStrictEqual({
      ...suites[1],
      model_id: 'agent-1',
      updated_at: at,
    });
    expect(await byModel(['agent-1'])).toEqual(['billing again', 'Hours', 'Billing']);

    const inSuite = [caseOf(WS, 'one', { suite_id: suites[0]!.id }), caseOf(WS, 'two', { suite_id: suites[0]!.id })];
    const loose = caseOf(WS, 'loose');
    for (const c of [...inSuite, loose]) await storage.cases.create(c);
    expect(await storage.suites.delete(OTHER, suites[0]!.id)).toBe(false);
    expect(await storage.suites.delete(WS, suites[0]!.id)).toBe(true);
    expect(await storage.suites.get(WS, suites[0]!.id)).toBeUndefined();
    expect(await storage.cases.get(WS, inSuite[0]!.simulation_case_id)).toBeUndefined();
    expect(await storage.cases.get(WS, loose.simulation_case_id)).toStrictEqual(loose);
  });

  it('lists cases by suite, type and name; groups them by suite; finds those of an agent', async () => {
    const storage = await fresh();
    const [s1, s2] = [suiteOf(WS, 'S1', 'agent-1'), suiteOf(WS, 'S2', 'agent-2')];
    await storage.suites.create(s1);
    await storage.suites.create(s2);
    const cases = [
      caseOf(WS, 'Opening hours', { suite_id: s2.id }),
      caseOf(WS, 'Refund', { suite_id: s1.id, type: 'agent_based', base_agent_id: 'agent-3' }),
    ];
    // Two created in one request: ties are broken by insertion order.
    const at = tick();
    cases.push(
      caseOf(WS, 'Refund late', { suite_id: s1.id, created_at: at, updated_at: at }),
      caseOf(WS, 'Refund early', { suite_id: s2.id, created_at: at, updated_at: at }),
      caseOf(WS, 'Based', { type: 'agent_based', base_agent_id: 'agent-2' }),
    );
    for (const c of cases) await storage.cases.create(c);
    await storage.cases.create(caseOf(OTHER, 'Refund', { suite_id: s1.id }));
    const names = async (filter: Parameters<Storage['cases']['list']>[1]) =>
      ids((await storage.cases.list(WS, filter, page(1, 10))).items, (c) => c.name);

    expect(await storage.cases.get(WS, cases[1]!.simulation_case_id)).toStrictEqual(cases[1]);
    expect(await names({})).toEqual(['Based', 'Refund early', 'Refund late', 'Refund', 'Opening hours']);
    expect(await names({ suite_id: s1.id })).toEqual(['Refund late', 'Refund']);
    expect(await names({ simulation_case_type: 'agent_based' })).toEqual(['Based', 'Refund']);
    expect(await names({ suite_id: s1.id, simulation_case_type: 'custom' })).toEqual(['Refund late']);
    expect(await names({ search: 'refund', suite_id: s2.id })).toEqual(['Refund early']);
    expect((await storage.cases.list(WS, { suite_id: s1.id }, page(2, 1))).total).toBe(2);

    expect(await storage.cases.countInSuite(WS, s1.id)).toBe(2);
    expect(await storage.cases.countInSuite(OTHER, s2.id)).toBe(0);
    const grouped = await storage.cases.listInSuites(WS, [s2.id, s1.id]);
    const expected = [s1.id, s2.id].sort().flatMap((suite) => cases.filter((c) => c.suite_id === suite).map((c) => c.simulation_case_id));
    expect(ids(grouped, (c) => c.simulation_case_id)).toEqual(expected);
    expect(await storage.cases.listInSuites(WS, [])).toEqual([]);

    // agent-2: based on it, or in a suite bound to it; newest first, limited.
    expect(ids(await storage.cases.listByAgent(WS, 'agent-2', 10), (c) => c.name)).toEqual(['Based', 'Refund early', 'Opening hours']);
    expect(ids(await storage.cases.listByAgent(WS, 'agent-2', 2), (c) => c.name)).toEqual(['Based', 'Refund early']);
    expect(await storage.cases.listByAgent(OTHER, 'agent-2', 10)).toEqual([]);

    const moved = await storage.cases.update(WS, cases[0]!.simulation_case_id, {
      suite_id: s1.id,
      checks: [],
      caller_turns: ['Only this'],
      success_criteria: ['One'],
      updated_at: tick(),
    });
    expect(moved).toMatchObject({ suite_id: s1.id, checks: [], caller_turns: ['Only this'], success_criteria: ['One'] });
    expect(await storage.cases.countInSuite(WS, s1.id)).toBe(3);
    expect(await storage.cases.update(OTHER, cases[0]!.simulation_case_id, { name: 'x' })).toBeUndefined();
    expect(await storage.cases.delete(WS, cases[0]!.simulation_case_id)).toBe(true);
    expect(await storage.cases.countInSuite(WS, s1.id)).toBe(2);
  });

  it('keeps scenarios: all oldest first, lists newest first within a date window', async () => {
    const storage = await fresh();
    const scenarios = ['Angry caller', 'Calm caller', 'angry again'].map((n) => scenarioOf(WS, n));
    for (const s of scenarios) await storage.scenarios.create(s);
    await storage.scenarios.create(scenarioOf(OTHER, 'Angry elsewhere'));
    expect(await storage.scenarios.all(WS)).toStrictEqual(scenarios);
    expect(ids((await storage.scenarios.list(WS, { search: 'ANGRY' }, page(1, 10))).items, (s) => s.name)).toEqual([
      'angry again',
      'Angry caller',
    ]);
    expect((await storage.scenarios.list(WS, { start_date: scenarios[1]!.created_at }, page(1, 10))).total).toBe(2);
    const at = tick();
    expect(await storage.scenarios.update(WS, scenarios[0]!.id, { description: 'Shouting', updated_at: at })).toStrictEqual({
      ...scenarios[0],
      description: 'Shouting',
      updated_at: at,
    });
    expect(await storage.scenarios.get(OTHER, scenarios[0]!.id)).toBeUndefined();
    expect(await storage.scenarios.delete(WS, scenarios[0]!.id)).toBe(true);
    expect(ids(await storage.scenarios.all(WS), (s) => s.name)).toEqual(['Calm caller', 'angry again']);
  });

  it('creates sessions with their runs; reads them in full, lists them with summaries and counters', async () => {
    const storage = await fresh();
    const first = sessionOf(WS, 'agent-1');
    const second = sessionOf(WS, 'agent-2');
    const runs1 = [runOf(first, 1), runOf(first, 2), runOf(first, 3)];
    const runs2 = [runOf(second, 4)];
    const input = {
      checks: [{ type: 'contains', value: 'x' }] as unknown as CaseRecord['checks'],
      caller_turns: ['Hi'],
      tool_mocks: [{ name: 'lookup_order', arguments: { order_id: 'A-1' }, result: 'shipped' }],
      expected_agent_turns: ['Hello!'],
    };
    await storage.sessions.createRuns(first, runs1, new Map([[runs1[0]!.simulation_id, input]]));
    await storage.sessions.createRuns(second, runs2);
    // More runs in an existing session (no session record given).
    const later = tick();
    const extra = runOf(first, 5, { created_at: later, updated_at: later });
    await storage.sessions.createRuns(undefined, [extra]);
    const foreign = sessionOf(OTHER);
    await storage.sessions.createRuns(foreign, [runOf(foreign, 6)]);
    await expect(storage.sessions.createRuns(undefined, [runOf(sessionOf(WS), 7)])).rejects.toThrow();
    // A failed creation leaves nothing behind: the session and its runs are one transaction.
    const broken = sessionOf(WS);
    const dup = runOf(broken, 8);
    await expect(storage.sessions.createRuns(broken, [dup, { ...dup }])).rejects.toThrow();
    expect(await storage.sessions.get(WS, broken.simulation_session_id)).toBeUndefined();

    expect(await storage.sessions.get(WS, first.simulation_session_id)).toStrictEqual(first);
    expect(await storage.sessions.get(OTHER, first.simulation_session_id)).toBeUndefined();
    const view = (await storage.sessions.view(WS, first.simulation_session_id))!;
    expect(view.simulations).toStrictEqual([...runs1, extra]);
    expect(view).toMatchObject({ total_simulations: 4, pending_simulations: 4, completed_simulations: 0, failed_simulations: 0 });
    expect(await storage.sessions.view(OTHER, first.simulation_session_id)).toBeUndefined();

    const listed = await storage.sessions.list(WS, {}, page(1, 10));
    expect(listed.total).toBe(2);
    expect(ids(listed.items, (s) => s.simulation_session_id)).toEqual([second.simulation_session_id, first.simulation_session_id]);
    expect(listed.items[1]!.simulations).toStrictEqual(
      [...runs1, extra].map((s) => ({
        ...s,
        timeline: null,
        simulation_case_prompt: null,
        success_criteria: null,
        custom_variables: null,
        success_criteria_analysis: null,
      })),
    );
    expect(listed.items[1]).toMatchObject({ total_simulations: 4, pending_simulations: 4 });
    expect(listed.items[1]!.simulations.map((s) => Object.keys(s))).toEqual(view.simulations.map((s) => Object.keys(s)));
    expect(
      ids((await storage.sessions.list(WS, { target_agent_id: 'agent-2' }, page(1, 10))).items, (s) => s.simulation_session_id),
    ).toEqual([second.simulation_session_id]);
    expect(await storage.sessions.list(WS, { target_agent_id: 'nobody' }, page(1, 10))).toEqual({ items: [], total: 0 });
    expect((await storage.sessions.list(WS, { start_date: second.created_at }, page(1, 10))).total).toBe(1);

    expect(await storage.sessions.countSimulations(WS, first.simulation_session_id)).toBe(4);
    expect(await storage.sessions.countSimulations(WS, foreign.simulation_session_id)).toBe(0);
    const counters = await storage.sessions.counters(WS, [second.simulation_session_id, foreign.simulation_session_id, 'none']);
    expect([...counters.keys()]).toEqual([second.simulation_session_id, foreign.simulation_session_id, 'none']);
    expect(counters.get(second.simulation_session_id)).toStrictEqual({
      total_simulations: 1,
      completed_simulations: 0,
      failed_simulations: 0,
      pending_simulations: 1,
    });
    expect(counters.get(foreign.simulation_session_id)!.total_simulations).toBe(0);
    expect(await storage.sessions.counters(WS, [])).toEqual(new Map());

    expect(await storage.simulations.runInput(runs1[0]!.simulation_id)).toStrictEqual(input);
    expect(await storage.simulations.runInput(runs1[1]!.simulation_id)).toStrictEqual({
      checks: [],
      caller_turns: [],
      tool_mocks: [],
      expected_agent_turns: [],
    });
    expect(await storage.simulations.runInput('missing')).toBeUndefined();
  });

  it('keeps each run’s iteration: written with the run, read by get, lists, a session read, its summaries and the engine’s list', async () => {
    const storage = await fresh();
    const session = sessionOf(WS);
    // Created in one request (one `created_at`), the later iteration inserted first: a session read
    // takes them by iteration, a list of the session's runs newest first in the reverse of that order.
    const [second, first, third] = [
      runOf(session, 1, { iteration: 2 }),
      runOf(session, 1, { iteration: 1 }),
      runOf(session, 2, { iteration: 3 }),
    ];
    await storage.sessions.createRuns(session, [second!, first!, third!]);
    const byIteration = [first!, second!, third!];

    expect(await storage.simulations.get(WS, second!.simulation_id)).toStrictEqual(second);
    expect((await storage.sessions.view(WS, session.simulation_session_id))!.simulations).toStrictEqual(byIteration);
    const listed = (await storage.sessions.list(WS, {}, page(1, 10))).items[0]!;
    expect(listed.simulations.map((s) => [s.simulation_id, s.iteration])).toEqual(byIteration.map((s) => [s.simulation_id, s.iteration]));
    const runs = await storage.simulations.list(WS, { simulation_session_id: session.simulation_session_id }, page(1, 10));
    expect(runs.items).toStrictEqual([...byIteration].reverse());
    expect((await storage.simulations.list(WS, {}, page(1, 10))).items.map((s) => s.iteration).sort()).toEqual([1, 2, 3]);
    expect((await storage.simulations.listUnfinished(10)).map((s) => s.iteration).sort()).toEqual([1, 2, 3]);
    // Finishing rewrites the run's document: its iteration stays.
    await storage.simulations.finish(
      third!.simulation_id,
      { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null },
      tick(),
    );
    expect((await storage.simulations.get(WS, third!.simulation_id))!.iteration).toBe(3);
  });

  it('embeds the oldest 100 runs of a session of 150 in its read and in a page of sessions, and counts all 150', async () => {
    const storage = await fresh();
    const big = sessionOf(WS);
    // 50 cases × 3 iterations, inserted case by case: the oldest 100 are iterations 1 and 2 of every case.
    const runs = Array.from({ length: 50 }, (_, c) => [1, 2, 3].map((iteration) => runOf(big, c, { iteration }))).flat();
    await storage.sessions.createRuns(big, runs);
    // A later run of the session (a case added afterwards) is newer than all of them.
    const laterAt = tick();
    await storage.sessions.createRuns(undefined, [runOf(big, 99, { iteration: 1, created_at: laterAt, updated_at: laterAt })]);
    const small = sessionOf(WS);
    const smallRuns = [runOf(small, 1), runOf(small, 2)];
    await storage.sessions.createRuns(small, smallRuns);
    await storage.simulations.finish(
      runs[0]!.simulation_id,
      { status: 'failed', success_criteria_analysis: null, error_info: null },
      tick(),
    );

    expect(EMBEDDED_SIMULATIONS).toBe(100);
    const oldest = [1, 2].flatMap((iteration) => runs.filter((r) => r.iteration === iteration)).map((r) => r.simulation_id);
    const counted = { total_simulations: 151, completed_simulations: 0, failed_simulations: 1, pending_simulations: 150 };
    const view = (await storage.sessions.view(WS, big.simulation_session_id))!;
    expect(ids(view.simulations, (s) => s.simulation_id)).toEqual(oldest);
    expect(view).toMatchObject(counted);
    const listed = await storage.sessions.list(WS, {}, page(1, 10));
    expect(ids(listed.items, (s) => s.simulation_session_id)).toEqual([small.simulation_session_id, big.simulation_session_id]);
    expect(ids(listed.items[1]!.simulations, (s) => s.simulation_id)).toEqual(oldest);
    expect(listed.items[1]).toMatchObject(counted);
    expect(listed.items[1]!.simulations.every((s) => s.timeline === null && s.custom_variables === null)).toBe(true);
    expect(ids(listed.items[0]!.simulations, (s) => s.simulation_id)).toEqual(ids(smallRuns, (s) => s.simulation_id));
    expect(await storage.sessions.countSimulations(WS, big.simulation_session_id)).toBe(151);
    expect((await storage.simulations.list(WS, { simulation_session_id: big.simulation_session_id }, page(1, 200))).items).toHaveLength(
      151,
    );
  });

  it('reads every run’s outcome oldest first, turns counted from the caller’s and the agent’s messages only', async () => {
    const storage = await fresh();
    const session = sessionOf(WS);
    const laterAt = tick();
    // Inserted out of order: the run of a later request first, then iteration 2 before iteration 1.
    const late = runOf(session, 3, { created_at: laterAt, updated_at: laterAt, iteration: 1 });
    const second = runOf(session, 1, { iteration: 2 });
    const first = runOf(session, 1, { iteration: 1, success_criteria: null, simulation_case_name: null });
    await storage.sessions.createRuns(session, [late]);
    await storage.sessions.createRuns(undefined, [second, first]);
    const other = sessionOf(WS);
    const otherRun = runOf(other, 4);
    await storage.sessions.createRuns(other, [otherRun]);
    const empty = sessionOf(WS);
    await storage.sessions.createRuns(empty, []);

    // The first run talks: two turns each, a tool call, the end of the call and a system error are not turns.
    const startedAt = tick();
    await storage.simulations.markStarted(first.simulation_id, startedAt);
    const timeline = [
      event(0, 'persona'),
      event(1, 'agent'),
      { ...event(2, 'agent'), type: 'tool_call' },
      event(3, 'persona'),
      { ...event(4, 'system'), type: 'message' },
      event(5, 'agent'),
      { ...event(6, 'persona'), type: 'end_call' },
    ];
    await storage.simulations.appendTimeline(first.simulation_id, timeline.slice(0, 4), tick());
    await storage.simulations.appendTimeline(otherRun.simulation_id, [event(7), event(8), event(9)], tick());
    const finishedAt = tick();
    await storage.simulations.finish(
      first.simulation_id,
      { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null, events: timeline.slice(4) },
      finishedAt,
    );
    await storage.simulations.finish(second.simulation_id, { status: 'failed', success_criteria_analysis: null, error_info: null }, tick());

    const outcome = (run: SimulationRecord, extra: Partial<RunOutcome> = {}): RunOutcome => ({
      simulation_id: run.simulation_id,
      simulation_case_id: run.simulation_case_id,
      simulation_case_name: run.simulation_case_name,
      iteration: run.iteration,
      status: run.status,
      success_criteria: run.success_criteria,
      success_criteria_analysis: run.success_criteria_analysis,
      created_at: run.created_at,
      started_at: run.started_at,
      finished_at: run.finished_at,
      turns: 0,
      ...extra,
    });
    expect(await storage.sessions.outcomes(WS, session.simulation_session_id)).toStrictEqual([
      outcome(first, {
        status: 'completed',
        success_criteria_analysis: ANALYSIS,
        started_at: startedAt,
        finished_at: finishedAt,
        turns: 4,
      }),
      outcome(second, { status: 'failed', finished_at: expect.any(String) }),
      outcome(late),
    ]);
    expect(await storage.sessions.outcomes(WS, other.simulation_session_id)).toStrictEqual([outcome(otherRun, { turns: 3 })]);
    expect(await storage.sessions.outcomes(WS, empty.simulation_session_id)).toEqual([]);
    // Another workspace's session, or none, is not found.
    expect(await storage.sessions.outcomes(OTHER, session.simulation_session_id)).toBeUndefined();
    expect(await storage.sessions.outcomes(WS, 'no-such-session')).toBeUndefined();
  });

  it('finds the latest finished session of a suite before a given one: not pending, not of another suite, not later, not itself', async () => {
    const storage = await fresh();
    const SUITE = 'suite-a';
    // Sessions of the suite, each with a run; `id` fixes the order of those created at the same time.
    const sessionAt = (created_at: string, id: string, suite_id: string | null = SUITE, ws = WS) =>
      sessionRecord(ws, created_at, { simulation_session_id: id, suite_id });
    const withRun = async (session: SessionRecord, finished = true) => {
      const run = runOf(session, 1);
      await storage.sessions.createRuns(session, [run]);
      if (finished)
        await storage.simulations.finish(
          run.simulation_id,
          { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null },
          tick(),
        );
      return run;
    };
    const oldest = sessionAt(tick(), 's-1');
    const pending = sessionAt(tick(), 's-2');
    const otherSuite = sessionAt(tick(), 's-3', 'suite-b');
    const noSuite = sessionAt(tick(), 's-4', null);
    const foreign = sessionAt(tick(), 's-5', SUITE, OTHER);
    const head = sessionAt(tick(), 's-7');
    const tieBefore = sessionAt(head.created_at, 's-6');
    const tieAfter = sessionAt(head.created_at, 's-8');
    const later = sessionAt(tick(), 's-9');
    await withRun(oldest);
    const pendingRun = await withRun(pending, false);
    for (const session of [otherSuite, noSuite, foreign, tieAfter, later, head]) await withRun(session);
    // A session created at the same time as the head, before it by id, but still running.
    await withRun(tieBefore, false);

    const latest = (before: SessionRecord) => storage.sessions.latestFinished(WS, SUITE, before);
    expect(await latest(head)).toStrictEqual(oldest);
    await storage.simulations.finish(
      pendingRun.simulation_id,
      { status: 'failed', success_criteria_analysis: null, error_info: null },
      tick(),
    );
    expect(await latest(head)).toStrictEqual(pending);
    // The later sessions see the head; the one tied with it by time and after it by id comes next.
    expect(await latest(tieAfter)).toStrictEqual(head);
    expect(await latest(later)).toStrictEqual(tieAfter);
    expect(await latest(oldest)).toBeUndefined();
    expect(await storage.sessions.latestFinished(WS, 'suite-b', later)).toStrictEqual(otherSuite);
    expect(await storage.sessions.latestFinished(OTHER, SUITE, later)).toStrictEqual(foreign);
    expect(await storage.sessions.latestFinished(WS, 'no-such-suite', later)).toBeUndefined();
  });

  it('lists simulations by session, status, agent and date, newest first, ties in insertion order reversed, with exact totals', async () => {
    const storage = await fresh();
    const sessions = [sessionOf(WS, 'agent-1'), sessionOf(WS, 'agent-2'), sessionOf(WS, 'agent-1')];
    const runs: SimulationRecord[] = [];
    for (const [i, session] of sessions.entries()) {
      const batch = [0, 1, 2, 3].map((n) => runOf(session, i * 10 + n));
      runs.push(...batch);
      await storage.sessions.createRuns(session, batch);
    }
    const foreign = sessionOf(OTHER, 'agent-1');
    await storage.sessions.createRuns(foreign, [runOf(foreign, 99)]);
    // Finish some: statuses to filter by.
    const statuses: Array<SimulationRecord['status']> = [];
    for (const [i, run] of runs.entries()) {
      const status = (['in-progress', 'completed', 'failed'] as const)[i % 3]!;
      statuses.push(status);
      if (status !== 'in-progress')
        await storage.simulations.finish(run.simulation_id, { status, success_criteria_analysis: null, error_info: null }, tick());
    }
    const newestFirst = [...runs].reverse();
    for (const filter of [
      {},
      { status: 'completed' as const },
      { target_agent_id: 'agent-1' },
      { target_agent_id: 'agent-1', status: 'in-progress' as const },
      { simulation_session_id: sessions[1]!.simulation_session_id },
      { simulation_session_id: sessions[2]!.simulation_session_id, status: 'failed' as const },
      { start_date: sessions[1]!.created_at, end_date: sessions[1]!.created_at },
    ]) {
      const expected = newestFirst.filter((r) => {
        const i = runs.indexOf(r);
        return (
          (!('status' in filter) || statuses[i] === filter.status) &&
          (!('target_agent_id' in filter) || r.target_agent_id === filter.target_agent_id) &&
          (!('simulation_session_id' in filter) || r.simulation_session_id === filter.simulation_session_id) &&
          (!('start_date' in filter) || r.created_at === filter.start_date)
        );
      });
      for (const size of [1, 3, 100]) {
        const seen: string[] = [];
        for (let n = 1; n <= Math.ceil(expected.length / size) + 1; n += 1) {
          const got = await storage.simulations.list(WS, filter, page(n, size));
          expect(got.total, `${JSON.stringify(filter)} size ${size} page ${n}`).toBe(expected.length);
          seen.push(...ids(got.items, (s) => s.simulation_id));
        }
        expect(seen).toEqual(ids(expected, (r) => r.simulation_id));
      }
    }
    const one = runs[1]!;
    expect(await storage.simulations.get(WS, one.simulation_id)).toMatchObject({ status: 'completed', timeline: [] });
    expect(await storage.simulations.get(OTHER, one.simulation_id)).toBeUndefined();
    expect((await storage.simulations.list(OTHER, {}, page(1, 10))).total).toBe(1);
  });

  it('lists unfinished runs across workspaces, oldest first, up to the limit', async () => {
    const storage = await fresh();
    const a = sessionOf(WS);
    const b = sessionOf(OTHER);
    const runsA = [runOf(a, 1), runOf(a, 2)];
    const runsB = [runOf(b, 3)];
    await storage.sessions.createRuns(a, runsA);
    await storage.sessions.createRuns(b, runsB);
    await storage.simulations.finish(
      runsA[0]!.simulation_id,
      { status: 'completed', success_criteria_analysis: null, error_info: null },
      tick(),
    );
    expect(ids(await storage.simulations.listUnfinished(10), (s) => s.simulation_id)).toEqual([
      runsA[1]!.simulation_id,
      runsB[0]!.simulation_id,
    ]);
    expect(ids(await storage.simulations.listUnfinished(1), (s) => s.simulation_id)).toEqual([runsA[1]!.simulation_id]);
    expect(await storage.simulations.listUnfinished(Number.MAX_SAFE_INTEGER)).toHaveLength(2);
  });

  it('appends the run log in order, refuses only an append to a run that is gone, and finishes with late events after', async () => {
    const storage = await fresh();
    const session = sessionOf(WS);
    const [one, two] = [runOf(session, 1), runOf(session, 2)];
    await storage.sessions.createRuns(session, [one, two]);
    const startedAt = tick();
    await storage.simulations.markStarted(one.simulation_id, startedAt, { target_call_id: 'call-1', persona_agent_id: 'persona-9' });
    expect(await storage.simulations.get(WS, one.simulation_id)).toStrictEqual({
      ...one,
      started_at: startedAt,
      target_call_id: 'call-1',
      persona_agent_id: 'persona-9',
      updated_at: startedAt,
    });
    await expect(storage.simulations.markStarted('missing', tick())).rejects.toThrow(/no simulation/);

    const items = [event(0), event(1), event(2), event(3), event(4)];
    await storage.simulations.appendTimeline(one.simulation_id, [items[0]!], items[0]!.timestamp_datetime!);
    // Appends of one turn, not awaited one by one: each run's events keep the order they were given.
    const settled = await Promise.allSettled([
      storage.simulations.appendTimeline(one.simulation_id, [items[1]!], tick()),
      storage.simulations.appendTimeline(two.simulation_id, [items[2]!], tick()),
      storage.simulations.appendTimeline('no-such-run', [event(9)], tick()),
      storage.simulations.appendTimeline(one.simulation_id, [items[3]!, items[4]!], items[4]!.timestamp_datetime!),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const running = (await storage.simulations.get(WS, one.simulation_id))!;
    expect(running.timeline).toStrictEqual([items[0], items[1], items[3], items[4]]);
    // While it runs, a run was last updated by its last event.
    expect(running.updated_at).toBe(items[4]!.timestamp_datetime);
    expect(running.status).toBe('in-progress');
    expect((await storage.simulations.get(WS, two.simulation_id))!.timeline).toStrictEqual([items[2]]);

    const finishedAt = tick();
    const analysis = ANALYSIS;
    await storage.simulations.finish(
      one.simulation_id,
      { status: 'completed', success_criteria_analysis: analysis, error_info: null, recording_url: 'https://rec.example/1' },
      finishedAt,
    );
    const late = [event(5, 'system')];
    await storage.simulations.finish(
      two.simulation_id,
      {
        status: 'failed',
        success_criteria_analysis: null,
        error_info: { code: 503, type: 'interrupted', message: 'x' },
        events: late,
      },
      tick(),
    );
    const [a, b] = [(await storage.simulations.get(WS, one.simulation_id))!, (await storage.simulations.get(WS, two.simulation_id))!];
    expect(a).toStrictEqual({
      ...running,
      status: 'completed',
      success_criteria_analysis: analysis,
      recording_url: 'https://rec.example/1',
      finished_at: finishedAt,
      updated_at: finishedAt,
    });
    expect(b).toMatchObject({ status: 'failed', timeline: [items[2], ...late], error_info: { code: 503, type: 'interrupted' } });
    // Fields set by finishing keep their place in the record.
    expect(Object.keys(a)).toEqual(Object.keys(running));
    expect((await storage.sessions.counters(WS, [session.simulation_session_id])).get(session.simulation_session_id)).toStrictEqual({
      total_simulations: 2,
      completed_simulations: 1,
      failed_simulations: 1,
      pending_simulations: 0,
    });
    expect((await storage.simulations.list(WS, { status: 'completed' }, page(1, 1))).total).toBe(1);
    expect(await storage.simulations.listUnfinished(10)).toEqual([]);
    await expect(
      storage.simulations.finish('no-such-run', { status: 'failed', success_criteria_analysis: null, error_info: null }, tick()),
    ).rejects.toThrow(/no simulation/);
  });

  it('carries a run of the engine: started, its events in order, finished once, and restarts recover what was left', async () => {
    const storage = await fresh();
    const agent = agentOf(WS, 'Nora', { connector: { kind: 'builtin' } } as Partial<AgentRecord>);
    await storage.agents.create(agent);
    const session = sessionOf(WS, agent.id);
    const [run, left, interrupted] = [1, 2, 3].map((n) => runOf(session, n, { target_agent_id: agent.id }));
    const input = {
      checks: [],
      caller_turns: ['Hi, when are you open?', 'Thanks, goodbye. [END_CALL]'],
      tool_mocks: [],
      expected_agent_turns: [],
    };
    await storage.sessions.createRuns(session, [run!, left!, interrupted!], new Map([[run!.simulation_id, input]]));
    // As a process that stopped mid-run left it.
    await storage.simulations.markStarted(interrupted!.simulation_id, tick());

    const engine = new SimulationEngine(storage, { concurrency: 2, timeoutMs: 30_000, allowPrivateNetworks: false, llm: {} });
    // Queued runs are resumed, and one that was running is recorded as interrupted.
    await engine.start();
    const settled = async (id: string) => {
      for (let i = 0; i < 3000; i += 1) {
        const read = (await storage.simulations.get(WS, id))!;
        if (read.status !== 'in-progress') return read;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`run ${id} never finished`);
    };
    const [done, resumed, failed] = [
      await settled(run!.simulation_id),
      await settled(left!.simulation_id),
      await settled(interrupted!.simulation_id),
    ];
    await engine.stop();

    expect(done.status, JSON.stringify(done.error_info)).toBe('completed');
    expect(done.started_at).not.toBeNull();
    expect(done.finished_at).not.toBeNull();
    const turns = done.timeline!.filter((item) => item.type === 'message');
    expect(new Set(turns.map((item) => item.sender_type))).toEqual(new Set(['persona', 'agent']));
    expect(turns.filter((item) => item.sender_type === 'persona').map((item) => item.value)).toEqual([
      'Hi, when are you open?',
      'Thanks, goodbye.',
    ]);
    const times = done.timeline!.map((item) => item.timestamp_datetime!);
    expect(times).toEqual([...times].sort());
    expect(resumed.status).toBe('completed');
    expect(failed).toMatchObject({ status: 'failed', error_info: { code: 503 } });
    expect(failed.timeline!.at(-1)).toMatchObject({ sender_type: 'system', type: 'error' });

    const counters = async () => (await storage.sessions.counters(WS, [session.simulation_session_id])).get(session.simulation_session_id);
    expect(await counters()).toStrictEqual({
      total_simulations: 3,
      completed_simulations: 2,
      failed_simulations: 1,
      pending_simulations: 0,
    });
    // A result is written once: finishing again (a second delivery of the run's job) changes nothing.
    expect(
      await storage.simulations.finish(run!.simulation_id, { status: 'failed', success_criteria_analysis: null, error_info: null }, tick()),
    ).toBe(false);
    expect(await counters()).toStrictEqual({
      total_simulations: 3,
      completed_simulations: 2,
      failed_simulations: 1,
      pending_simulations: 0,
    });
    expect(await storage.simulations.get(WS, run!.simulation_id)).toStrictEqual(done);
  });

  it('starts a run once and writes its result once: a second start or finish changes no field, event or counter', async () => {
    const storage = await fresh();
    const session = sessionOf(WS);
    const [one, two, three] = [runOf(session, 1), runOf(session, 2), runOf(session, 3)];
    await storage.sessions.createRuns(session, [one, two, three]);
    const startedAt = tick();
    expect(await storage.simulations.markStarted(one.simulation_id, startedAt)).toBe(true);
    // Another delivery of the run's job finds it started: nothing changes.
    expect(await storage.simulations.markStarted(one.simulation_id, tick(), { target_call_id: 'second' })).toBe(false);
    await storage.simulations.appendTimeline(one.simulation_id, [event(0)], tick());
    const finishedAt = tick();
    expect(
      await storage.simulations.finish(
        one.simulation_id,
        { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null, events: [event(1)] },
        finishedAt,
      ),
    ).toBe(true);
    const result = (await storage.simulations.get(WS, one.simulation_id))!;
    expect(result).toMatchObject({ status: 'completed', started_at: startedAt, finished_at: finishedAt, target_call_id: null });
    expect(result.timeline).toHaveLength(2);
    const counters = async () => (await storage.sessions.counters(WS, [session.simulation_session_id])).get(session.simulation_session_id);
    const before = await counters();
    const interrupted = { code: 503, type: 'interrupted', message: 'cut off' };
    expect(
      await storage.simulations.finish(
        one.simulation_id,
        { status: 'failed', success_criteria_analysis: null, error_info: interrupted, events: [event(2, 'system')] },
        tick(),
      ),
    ).toBe(false);
    expect(await storage.simulations.markStarted(one.simulation_id, tick())).toBe(false);
    // A worker that outlived its job appends to a run closed meanwhile: refused, nothing stored.
    await expect(storage.simulations.appendTimeline(one.simulation_id, [event(3)], tick())).rejects.toThrow(/in progress/);
    expect(await storage.simulations.get(WS, one.simulation_id)).toStrictEqual(result);
    expect(await counters()).toStrictEqual(before);
    expect((await storage.simulations.list(WS, { status: 'failed' }, page(1, 10))).total).toBe(0);
    expect((await storage.simulations.list(WS, { status: 'completed' }, page(1, 10))).total).toBe(1);

    // A queued run may be finished without starting (its agent is gone); then it cannot start.
    expect(
      await storage.simulations.finish(
        two.simulation_id,
        { status: 'failed', success_criteria_analysis: null, error_info: interrupted },
        tick(),
      ),
    ).toBe(true);
    expect(await storage.simulations.markStarted(two.simulation_id, tick())).toBe(false);
    expect((await storage.simulations.get(WS, two.simulation_id))!.started_at).toBeNull();

    // Two deliveries finishing at once: one result is written, and counted once.
    const finishes = await Promise.all([
      storage.simulations.finish(three.simulation_id, { status: 'completed', success_criteria_analysis: null, error_info: null }, tick()),
      storage.simulations.finish(
        three.simulation_id,
        { status: 'failed', success_criteria_analysis: null, error_info: interrupted },
        tick(),
      ),
    ]);
    expect(finishes.filter(Boolean)).toHaveLength(1);
    const third = (await storage.simulations.get(WS, three.simulation_id))!;
    expect(third.status).toBe(finishes[0] ? 'completed' : 'failed');
    expect(await counters()).toStrictEqual({
      total_simulations: 3,
      completed_simulations: finishes[0] ? 2 : 1,
      failed_simulations: finishes[0] ? 1 : 2,
      pending_simulations: 0,
    });
    await expect(storage.simulations.markStarted('no-such-run', tick())).rejects.toThrow(/no simulation/);
    await expect(
      storage.simulations.finish('no-such-run', { status: 'failed', success_criteria_analysis: null, error_info: null }, tick()),
    ).rejects.toThrow(/no simulation/);
  });

  it('cancels a run in progress once: failed 499, a started one with a last error event; then it cannot start, append or finish (issue 13)', async () => {
    const storage = await fresh();
    const session = sessionOf(WS);
    const [queued, running, done, left] = [1, 2, 3, 4].map((n) => runOf(session, n));
    await storage.sessions.createRuns(session, [queued!, running!, done!, left!]);
    const id = (run: SimulationRecord | undefined) => run!.simulation_id;
    await storage.simulations.markStarted(id(running), tick());
    await storage.simulations.appendTimeline(id(running), [event(0), event(1)], tick());
    await storage.simulations.markStarted(id(done), tick());
    await storage.simulations.finish(id(done), { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null }, tick());
    const counters = async () => (await storage.sessions.counters(WS, [session.simulation_session_id])).get(session.simulation_session_id);

    // Another workspace's run, and no run, are not found: nothing changes.
    expect(await storage.simulations.cancel(OTHER, id(queued), tick())).toBe(false);
    expect(await storage.simulations.cancel(WS, 'missing', tick())).toBe(false);
    expect((await storage.simulations.get(WS, id(queued)))!.status).toBe('in-progress');

    const queuedAt = tick();
    expect(await storage.simulations.cancel(WS, id(queued), queuedAt)).toBe(true);
    expect(await storage.simulations.get(WS, id(queued))).toStrictEqual({
      ...queued,
      status: 'failed',
      error_info: { ...CANCELLED },
      finished_at: queuedAt,
      updated_at: queuedAt,
    });
    const runningAt = tick();
    expect(await storage.simulations.cancel(WS, id(running), runningAt)).toBe(true);
    const cancelled = (await storage.simulations.get(WS, id(running)))!;
    expect(cancelled).toMatchObject({ status: 'failed', error_info: CANCELLED, finished_at: runningAt, updated_at: runningAt });
    expect(cancelled.started_at).not.toBeNull();
    // The events stored before the cancel, then the cancel's own.
    expect(cancelled.timeline!.map((e) => e.value)).toEqual([event(0).value, event(1).value, CANCELLED.message]);
    expect(cancelled.timeline!.at(-1)).toStrictEqual(cancelledEvent(runningAt));
    expect(await counters()).toStrictEqual({
      total_simulations: 4,
      completed_simulations: 1,
      failed_simulations: 2,
      pending_simulations: 1,
    });
    expect((await storage.simulations.list(WS, { status: 'failed' }, page(1, 10))).total).toBe(2);
    expect((await storage.simulations.list(WS, { status: 'in-progress' }, page(1, 10))).total).toBe(1);

    // Finished (completed, or cancelled already): refused, nothing changes.
    const finished = await storage.simulations.get(WS, id(done));
    expect(await storage.simulations.cancel(WS, id(done), tick())).toBe(false);
    expect(await storage.simulations.cancel(WS, id(running), tick())).toBe(false);
    expect(await storage.simulations.get(WS, id(done))).toStrictEqual(finished);
    // The run's worker, unaware: its start, events and result are all refused.
    expect(await storage.simulations.markStarted(id(queued), tick())).toBe(false);
    await expect(storage.simulations.appendTimeline(id(running), [event(2)], tick())).rejects.toThrow(/in progress/);
    expect(
      await storage.simulations.finish(
        id(running),
        { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null, events: [event(3)] },
        tick(),
      ),
    ).toBe(false);
    expect(await storage.simulations.get(WS, id(running))).toStrictEqual(cancelled);
    expect((await storage.simulations.get(WS, id(queued)))!.started_at).toBeNull();
    expect(await counters()).toStrictEqual({
      total_simulations: 4,
      completed_simulations: 1,
      failed_simulations: 2,
      pending_simulations: 1,
    });
    // What a worker asks of the runs it has going on: those closed, in the order asked.
    expect(await storage.simulations.closed([id(left), id(running), 'missing', id(done), id(queued)])).toEqual([
      id(running),
      'missing',
      id(done),
      id(queued),
    ]);
    expect(await storage.simulations.closed([])).toEqual([]);
  });

  it('cancels a session: its runs in progress at once, cancelled_at set once; a session with none in progress is left as it is (issue 13)', async () => {
    const storage = await fresh();
    const SUITE = 'suite-c';
    const earlier = sessionRecord(WS, tick(), { suite_id: SUITE });
    const target = sessionRecord(WS, tick(), { suite_id: SUITE });
    const head = sessionRecord(WS, tick(), { suite_id: SUITE });
    const earlierRun = runOf(earlier, 1);
    const [completed, running, queued] = [1, 2, 3].map((n) => runOf(target, n, { iteration: n }));
    await storage.sessions.createRuns(earlier, [earlierRun]);
    await storage.sessions.createRuns(target, [completed!, running!, queued!]);
    await storage.sessions.createRuns(head, [runOf(head, 1)]);
    await storage.simulations.finish(
      earlierRun.simulation_id,
      { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null },
      tick(),
    );
    await storage.simulations.finish(
      completed!.simulation_id,
      { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null },
      tick(),
    );
    await storage.simulations.markStarted(running!.simulation_id, tick());
    await storage.simulations.appendTimeline(running!.simulation_id, [event(0)], tick());
    const sid = target.simulation_session_id;

    expect(await storage.sessions.cancel(OTHER, sid, tick())).toBeUndefined();
    expect(await storage.sessions.cancel(WS, 'missing', tick())).toBeUndefined();
    expect((await storage.sessions.get(WS, sid))!.cancelled_at).toBeNull();

    const at = tick();
    expect(await storage.sessions.cancel(WS, sid, at)).toEqual([running!.simulation_id, queued!.simulation_id]);
    expect(await storage.sessions.get(WS, sid)).toStrictEqual({ ...target, cancelled_at: at });
    const view = (await storage.sessions.view(WS, sid))!;
    expect(view).toMatchObject({
      cancelled_at: at,
      total_simulations: 3,
      completed_simulations: 1,
      failed_simulations: 2,
      pending_simulations: 0,
    });
    expect(view.simulations.map((s) => [s.status, s.error_info?.type ?? null])).toEqual([
      ['completed', null],
      ['failed', 'cancelled'],
      ['failed', 'cancelled'],
    ]);
    expect(view.simulations[1]!.timeline!.map((e) => e.value)).toEqual([event(0).value, CANCELLED.message]);
    expect(view.simulations[2]!.timeline).toEqual([]);
    const listed = (await storage.sessions.list(WS, {}, page(1, 10))).items;
    expect(listed.map((s) => [s.simulation_session_id, s.cancelled_at])).toEqual([
      [head.simulation_session_id, null],
      [sid, at],
      [earlier.simulation_session_id, null],
    ]);

    // Nothing in progress any more: nothing changes, cancelled_at stays the first cancel's.
    const before = await storage.sessions.view(WS, sid);
    expect(await storage.sessions.cancel(WS, sid, tick())).toEqual([]);
    expect(await storage.sessions.view(WS, sid)).toStrictEqual(before);
    expect(await storage.sessions.cancel(WS, earlier.simulation_session_id, tick())).toEqual([]);
    expect((await storage.sessions.get(WS, earlier.simulation_session_id))!.cancelled_at).toBeNull();
    // A cancelled session is never the baseline `last`: the one before it is.
    expect(await storage.sessions.latestFinished(WS, SUITE, head)).toStrictEqual(earlier);
  });

  it("keeps a case's tool mocks and recorded agent lines: written, read, listed as read-outs, replaced, cleared (issues 14, 16)", async () => {
    const storage = await fresh();
    const mocks: CaseRecord['tool_mocks'] = [
      { name: 'lookup_order', arguments: { order_id: 'A-1', express: true }, result: { status: 'shipped', note: '«today» "quoted"' } },
      { name: 'lookup_order', result: 'no such order' },
      { name: 'refund', result: null },
    ];
    const recorded = ['', 'Your order shipped «today».', 'Anything else?'];
    const withBoth = caseOf(WS, 'Replayed', { tool_mocks: mocks, expected_agent_turns: recorded });
    const plain = caseOf(WS, 'Plain');
    await storage.cases.create(withBoth);
    await storage.cases.create(plain);

    expect(await storage.cases.get(WS, withBoth.simulation_case_id)).toStrictEqual(withBoth);
    expect(await storage.cases.get(WS, plain.simulation_case_id)).toMatchObject({ tool_mocks: [], expected_agent_turns: [] });
    const readOut = JSON.parse((await storage.cases.readOut(WS, withBoth.simulation_case_id))!) as Record<string, unknown>;
    expect(readOut).toMatchObject({ tool_mocks: mocks, expected_agent_turns: recorded });
    // After the caller turns, as `caseReadOut` of views.ts writes them.
    expect(Object.keys(readOut).slice(9, 12)).toEqual(['caller_turns', 'tool_mocks', 'expected_agent_turns']);
    const listed = JSON.parse((await storage.cases.readOutPage(WS, {}, page(1, 10))).items) as Array<Record<string, unknown>>;
    expect(listed.map((c) => [c.name, c.tool_mocks, c.expected_agent_turns])).toEqual([
      ['Plain', [], []],
      ['Replayed', mocks, recorded],
    ]);
    expect((await storage.cases.list(WS, {}, page(1, 10))).items.map((c) => c.tool_mocks)).toEqual([[], mocks]);

    // Replaced, then cleared; a patch without them keeps them.
    const replaced = await storage.cases.update(WS, withBoth.simulation_case_id, {
      tool_mocks: [{ name: 'refund', result: 'ok' }],
      updated_at: tick(),
    });
    expect(replaced).toMatchObject({ tool_mocks: [{ name: 'refund', result: 'ok' }], expected_agent_turns: recorded });
    const cleared = await storage.cases.update(WS, withBoth.simulation_case_id, {
      tool_mocks: [],
      expected_agent_turns: [],
      updated_at: tick(),
    });
    expect(cleared).toMatchObject({ tool_mocks: [], expected_agent_turns: [] });
    expect(await storage.cases.get(WS, withBoth.simulation_case_id)).toStrictEqual(cleared);
  });

  it("keeps a run's usage and divergence from its finish, and sums a session's finished runs' usage (issues 14, 16)", async () => {
    const storage = await fresh();
    const used = (n: number): NonNullable<SimulationRecord['usage']> => {
      const role = (calls: number) => ({ calls, prompt_tokens: 100 * calls, completion_tokens: 10 * calls, latency_ms: 7 * calls });
      return { persona: role(n), agent: role(2 * n), judge: role(1), total: role(3 * n + 1) };
    };
    const divergence = { turn: 2, expected: 'Your order shipped «today».', actual: 'I cannot "find" it.', similarity: 0.125 };
    const session = sessionOf(WS);
    const empty = sessionOf(WS);
    const [one, two, three, four] = [1, 2, 3, 4].map((n) => runOf(session, n));
    await storage.sessions.createRuns(session, [one!, two!, three!, four!]);
    await storage.sessions.createRuns(empty, [runOf(empty, 5)]);
    const usageOf = async (id: string) => (await storage.sessions.view(WS, id))!.usage;

    // Nothing finished: null on each run, zeros on the session.
    expect(await storage.simulations.get(WS, one!.simulation_id)).toStrictEqual(one);
    expect(one).toMatchObject({ usage: null, divergence: null });
    expect(await usageOf(session.simulation_session_id)).toStrictEqual(noUsage());

    await storage.simulations.markStarted(one!.simulation_id, tick());
    const finishedAt = tick();
    expect(
      await storage.simulations.finish(
        one!.simulation_id,
        { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null, usage: used(1), divergence },
        finishedAt,
      ),
    ).toBe(true);
    const done = (await storage.simulations.get(WS, one!.simulation_id))!;
    expect(done).toMatchObject({ status: 'completed', usage: used(1), divergence, finished_at: finishedAt });
    expect(
      await storage.simulations.finish(
        two!.simulation_id,
        { status: 'failed', success_criteria_analysis: null, error_info: null, usage: used(2) },
        tick(),
      ),
    ).toBe(true);
    // A finish that gives none leaves both null; a second finish changes neither.
    expect(
      await storage.simulations.finish(
        three!.simulation_id,
        { status: 'failed', success_criteria_analysis: null, error_info: null },
        tick(),
      ),
    ).toBe(true);
    expect(
      await storage.simulations.finish(
        one!.simulation_id,
        { status: 'failed', success_criteria_analysis: null, error_info: null, usage: used(9), divergence: null },
        tick(),
      ),
    ).toBe(false);
    expect(await storage.simulations.get(WS, one!.simulation_id)).toStrictEqual(done);
    expect(await storage.simulations.get(WS, three!.simulation_id)).toMatchObject({ usage: null, divergence: null });
    expect(await storage.simulations.get(WS, two!.simulation_id)).toMatchObject({ usage: used(2), divergence: null });

    // The session sums its finished runs (the fourth is still in progress), field by field.
    const sum = noUsage();
    for (const u of [used(1), used(2)])
      for (const role of ['persona', 'agent', 'judge', 'total'] as const)
        for (const field of ['calls', 'prompt_tokens', 'completion_tokens', 'latency_ms'] as const) sum[role][field] += u[role][field];
    expect(await usageOf(session.simulation_session_id)).toStrictEqual(sum);
    expect(await usageOf(empty.simulation_session_id)).toStrictEqual(noUsage());
    const view = (await storage.sessions.view(WS, session.simulation_session_id))!;
    expect(view.simulations.map((s) => [s.usage, s.divergence])).toEqual([
      [used(1), divergence],
      [used(2), null],
      [null, null],
      [null, null],
    ]);
    // A page of sessions: the same sums, and the summaries keep each run's usage and divergence.
    const listed = await storage.sessions.list(WS, {}, page(1, 10));
    expect(listed.items.map((s) => [s.simulation_session_id, s.usage])).toEqual([
      [empty.simulation_session_id, noUsage()],
      [session.simulation_session_id, sum],
    ]);
    expect(listed.items[1]!.simulations[0]).toMatchObject({ usage: used(1), divergence, timeline: null });
    expect(
      (await storage.simulations.list(WS, { simulation_session_id: session.simulation_session_id }, page(1, 10))).items.at(-1),
    ).toStrictEqual(done);
    // A cancelled run used what it used, unknown here: null, and the sum is unchanged.
    expect(await storage.simulations.cancel(WS, four!.simulation_id, tick())).toBe(true);
    expect(await storage.simulations.get(WS, four!.simulation_id)).toMatchObject({ status: 'failed', usage: null });
    expect(await usageOf(session.simulation_session_id)).toStrictEqual(sum);
    // The counters alone stay counters.
    expect((await storage.sessions.counters(WS, [session.simulation_session_id])).get(session.simulation_session_id)).toStrictEqual({
      total_simulations: 4,
      completed_simulations: 1,
      failed_simulations: 3,
      pending_simulations: 0,
    });
  });

  it('claims, replays, refuses and releases idempotency keys per workspace, and forgets them after their time', async () => {
    const storage = await fresh();
    const { idempotency } = storage;
    const ttl = 60_000;
    const at = tick();
    expect(await idempotency.claim(WS, 'k', 'h1', at, ttl)).toEqual({ state: 'claimed' });
    expect(await idempotency.claim(WS, 'k', 'h1', tick(), ttl)).toEqual({ state: 'in_flight' });
    expect(await idempotency.claim(WS, 'k', 'h2', tick(), ttl)).toEqual({ state: 'mismatch' });
    expect(await idempotency.claim(OTHER, 'k', 'h2', tick(), ttl)).toEqual({ state: 'claimed' });
    await idempotency.complete(WS, 'k', { status: 201, content_type: 'application/json', body: '{"ok":true}' });
    expect(await idempotency.claim(WS, 'k', 'h1', tick(), ttl)).toEqual({
      state: 'replay',
      status: 201,
      content_type: 'application/json',
      body: '{"ok":true}',
    });
    // A completed answer is not released; an unfinished claim is.
    await idempotency.release(WS, 'k');
    expect((await idempotency.claim(WS, 'k', 'h1', tick(), ttl)).state).toBe('replay');
    await idempotency.release(OTHER, 'k');
    expect(await idempotency.claim(OTHER, 'k', 'h3', tick(), ttl)).toEqual({ state: 'claimed' });
    // After its time a key is claimed afresh, whatever it held.
    const later = new Date(Date.parse(at) + ttl + 1).toISOString();
    expect(await idempotency.claim(WS, 'k', 'h2', later, ttl)).toEqual({ state: 'claimed' });
    const claims = await Promise.all([1, 2, 3, 4].map(() => idempotency.claim(WS, 'race', 'h', tick(0), ttl)));
    expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.state === 'in_flight')).toHaveLength(3);
  });

  it('answers ping, and closes once however often asked', async () => {
    const storage = await fresh();
    await storage.ping();
    await storage.close();
    await storage.close();
  });
});

describe('both storages', () => {
  it('answer the same writes with the same JSON, byte for byte (keys in the same order)', async () => {
    const stores = await Promise.all(factories.map((f) => f.open()));
    const base = Date.parse('2025-09-01T10:00:00.000Z');
    const at = (s: number) => new Date(base + s * 1000).toISOString();
    const agent = { ...agentOf(WS, 'Nora Ünï'), id: 'agent-x', created_at: at(1), updated_at: at(1) };
    const suite = { ...suiteOf(WS, 'Suite', agent.id), id: 'suite-x', created_at: at(2), updated_at: at(2) };
    const kase = caseOf(WS, 'Case', { simulation_case_id: 'case-x', suite_id: suite.id, created_at: at(3), updated_at: at(3) });
    const session = { ...sessionOf(WS, agent.id, at(4)), simulation_session_id: 'session-x' };
    const { custom_variables: _dropped, ...withoutVariables } = runOf(session, 2, { simulation_id: 'run-b' });
    const runs = [runOf(session, 1, { simulation_id: 'run-a' }), withoutVariables as SimulationRecord];
    const reads = await Promise.all(
      stores.map(async (storage) => {
        await storage.workspaces.create({ id: WS, name: 'W', created_at: at(0) });
        await storage.agents.create(agent);
        await storage.suites.create(suite);
        await storage.cases.create(kase);
        await storage.sessions.createRuns(session, runs);
        await storage.simulations.markStarted('run-a', at(5), { target_call_id: 'call-1' });
        await storage.simulations.appendTimeline('run-a', [{ ...event(1), timestamp_datetime: at(6) }], at(6));
        await storage.simulations.finish(
          'run-a',
          { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null, recording_url: 'https://rec.example/a' },
          at(7),
        );
        await storage.agents.update(WS, agent.id, { name: 'Nora', updated_at: at(8) });
        return JSON.stringify([
          await storage.agents.list(WS, {}, page(1, 10)),
          await storage.suites.list(WS, { model_ids: [agent.id] }, page(1, 10)),
          await storage.cases.list(WS, { suite_id: suite.id }, page(1, 10)),
          await storage.sessions.view(WS, session.simulation_session_id),
          await storage.sessions.list(WS, {}, page(1, 10)),
          await storage.simulations.list(WS, {}, page(1, 1)),
          await storage.simulations.listUnfinished(10),
        ]);
      }),
    );
    expect(reads[1]).toBe(reads[0]);
  });
});

describe('PostgreSQL migrations', () => {
  it('are applied once when several processes start at once, and not again at the next start', async () => {
    const url = await freshSchema();
    const storages = Array.from({ length: 3 }, () => closeAfterTest(new PostgresStorage(url, { maxConnections: 2 })));
    const applied = await Promise.all(storages.map((s) => s.migrate()));
    expect(applied.flat().sort()).toEqual(postgresMigrations.map((m) => m.version));
    expect(await storages[0]!.migrate()).toEqual([]);
    const { rows } = await storages[1]!.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
    await storages[2]!.workspaces.create({ id: WS, name: 'After', created_at: tick() });
    expect(await storages[0]!.workspaces.list()).toHaveLength(1);
  });

  it('keep text ordered byte by byte and names searched as JavaScript lower-cases them, whatever the database locale', async () => {
    const storage = closeAfterTest(await openPostgresStorage(await freshSchema()));
    await storage.workspaces.create({ id: WS, name: 'W', created_at: tick() });
    const { rows } = await storage.pool.query(
      `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND data_type = 'text' AND table_name <> 'schema_migrations'
        AND coalesce(collation_name, '') <> 'C'`,
    );
    expect(rows).toEqual([]);
  });
});

describe('PostgreSQL idempotency across processes', () => {
  const ttl = 60_000;
  const open = async (url: string) => closeAfterTest(await openPostgresStorage(url));

  it("leaves a live process's claims alone when another starts, and frees a gone process's claims", async () => {
    const url = await freshSchema();
    const first = await open(url);
    await first.workspaces.create({ id: WS, name: 'W', created_at: tick() });
    expect(await first.idempotency.claim(WS, 'live', 'h', tick(), ttl)).toEqual({ state: 'claimed' });
    // Another API node starting does not take the first one's request for abandoned.
    const second = await open(url);
    expect(await second.idempotency.claim(WS, 'live', 'h', tick(), ttl)).toEqual({ state: 'in_flight' });
    expect(await first.idempotency.claim(WS, 'live', 'h', tick(), ttl)).toEqual({ state: 'in_flight' });

    // A process that stops leaves the processes on the database: its unfinished claims are free to a retry.
    expect(await first.idempotency.claim(WS, 'stopped', 'h', tick(), ttl)).toEqual({ state: 'claimed' });
    await first.idempotency.complete(WS, 'live', { status: 201, content_type: 'application/json', body: '{}' });
    await first.close();
    expect(await second.idempotency.claim(WS, 'stopped', 'h', tick(), ttl)).toEqual({ state: 'claimed' });
    expect((await second.idempotency.claim(WS, 'live', 'h', tick(), ttl)).state).toBe('replay');

    // A process that died (its connections gone, its heartbeat older than the lease): another one
    // starting frees its claims, and one already running takes them over on the next claim.
    const dying = await open(url);
    expect(await dying.idempotency.claim(WS, 'died', 'h', tick(), ttl)).toEqual({ state: 'claimed' });
    expect(await dying.idempotency.claim(WS, 'died-too', 'h', tick(), ttl)).toEqual({ state: 'claimed' });
    await dying.pool.end();
    await second.pool.query("UPDATE server_nodes SET seen_at = now() - interval '1 hour' WHERE id = $1", [dying.nodeId]);
    expect(await second.idempotency.claim(WS, 'died', 'h2', tick(), ttl)).toEqual({ state: 'claimed' });
    const third = await open(url);
    const { rows } = await third.pool.query("SELECT key FROM idempotency_keys WHERE key = 'died-too'");
    expect(rows).toEqual([]);
    expect(await third.idempotency.claim(WS, 'stopped', 'h', tick(), ttl)).toEqual({ state: 'in_flight' });
  });
});

const ALL_EVENTS: WebhookEventType[] = ['simulation.completed', 'simulation.failed', 'session.completed', 'session.cancelled'];

const endpointOf = (ws: string, extra: Partial<WebhookEndpointRecord> = {}): WebhookEndpointRecord => {
  const at = tick();
  return {
    id: randomUUID(),
    workspace_id: ws,
    url: `https://hooks.example/${randomUUID()}`,
    event_types: ALL_EVENTS,
    description: null,
    enabled: true,
    disabled_reason: null,
    secret: `whsec_${Buffer.from(randomUUID()).toString('base64')}`,
    previous_secret: null,
    previous_secret_expires_at: null,
    failing_since: null,
    created_at: at,
    updated_at: at,
    ...extra,
  };
};

const attemptAt = (at: string, status_code: number | null, error: string | null = null): WebhookAttempt => ({
  attempted_at: at,
  status_code,
  latency_ms: 12,
  error,
  response_excerpt: status_code === null ? null : `answer ${status_code}`,
});

/** The run as its events carry it (`WebhookSimulationData`). */
const runData = (
  run: SimulationRecord,
  status: SimulationRecord['status'],
  success: boolean | null,
  error_info: unknown,
  finished_at: string,
) => ({
  simulation_id: run.simulation_id,
  simulation_session_id: run.simulation_session_id,
  simulation_case_id: run.simulation_case_id,
  simulation_case_name: run.simulation_case_name,
  target_agent_id: run.target_agent_id,
  workspace_id: run.workspace_id,
  status,
  success,
  iteration: run.iteration,
  error_info,
  finished_at,
});

const EVENT_ID = /^msg_[0-9a-f]{32}$/;

describe.each(factories)('webhook storage on $name (issue 13)', (factory) => {
  async function fresh(): Promise<Storage> {
    const storage = await factory.open();
    for (const ws of [WS, OTHER]) await storage.workspaces.create({ id: ws, name: `Workspace ${ws}`, created_at: tick() });
    return storage;
  }
  /** Every delivery of an endpoint, newest first. */
  const deliveries = async (storage: Storage, endpoint: WebhookEndpointRecord) =>
    (await storage.webhooks.deliveries(endpoint.workspace_id, endpoint.id, {}, page(1, 100))).items;
  const oldestFirst = (items: WebhookDeliveryRecord[]) => [...items].reverse();
  const failedRun = {
    status: 'failed',
    success_criteria_analysis: null,
    error_info: { code: 500, type: 'agent', message: 'down' },
  } as const;

  it('keeps endpoints per workspace: create, get, list newest first, partial update, delete with its deliveries', async () => {
    const storage = await fresh();
    const first = endpointOf(WS, { description: 'CI' });
    const second = endpointOf(WS, { event_types: ['session.completed'] });
    const foreign = endpointOf(OTHER);
    for (const e of [first, second, foreign]) await storage.webhooks.create(e);
    expect(await storage.webhooks.get(WS, first.id)).toStrictEqual(first);
    expect(await storage.webhooks.get(OTHER, first.id)).toBeUndefined();
    expect(await storage.webhooks.list(WS, page(1, 10))).toStrictEqual({ items: [second, first], total: 2 });
    expect(await storage.webhooks.list(WS, page(2, 1))).toStrictEqual({ items: [first], total: 2 });

    const at = tick();
    const patch = { enabled: false, disabled_reason: 'off', event_types: ['simulation.failed'] as WebhookEventType[], updated_at: at };
    expect(await storage.webhooks.update(WS, first.id, patch)).toStrictEqual({ ...first, ...patch });
    expect(await storage.webhooks.update(OTHER, first.id, { description: 'taken' })).toBeUndefined();
    expect(await storage.webhooks.update(WS, first.id, { enabled: true, disabled_reason: null, failing_since: null })).toMatchObject({
      enabled: true,
      disabled_reason: null,
      description: 'CI',
    });

    // A finished run leaves a delivery to the second endpoint; deleting the endpoint takes it along.
    const session = sessionOf(WS);
    const run = runOf(session, 1);
    await storage.sessions.createRuns(session, [run]);
    await storage.simulations.finish(run.simulation_id, failedRun, tick());
    expect(await deliveries(storage, second)).toHaveLength(1);
    expect(await storage.webhooks.delete(OTHER, second.id)).toBe(false);
    expect(await storage.webhooks.delete(WS, second.id)).toBe(true);
    expect(await storage.webhooks.get(WS, second.id)).toBeUndefined();
    expect(await storage.webhooks.deliveries(WS, second.id, {}, page(1, 10))).toStrictEqual({ items: [], total: 0 });
    expect(await storage.webhooks.claimDue(tick(), 10, 60_000)).toHaveLength(1); // the first endpoint's only
    expect(await storage.webhooks.delete(WS, second.id)).toBe(false);
  });

  it('writes the outbox with a run’s result: one event id per event, only to enabled endpoints subscribed to it, nothing for a refused finish', async () => {
    const storage = await fresh();
    const all = endpointOf(WS);
    const sessionsOnly = endpointOf(WS, { event_types: ['session.completed', 'session.cancelled'] });
    const disabled = endpointOf(WS, { enabled: false, disabled_reason: 'off' });
    const foreign = endpointOf(OTHER);
    for (const e of [all, sessionsOnly, disabled, foreign]) await storage.webhooks.create(e);
    const session = sessionOf(WS);
    const [one, two] = [runOf(session, 1), runOf(session, 2, { iteration: 2 })];
    await storage.sessions.createRuns(session, [one, two]);

    const firstAt = tick();
    await storage.simulations.finish(
      one.simulation_id,
      { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null },
      firstAt,
    );
    const [completed] = await deliveries(storage, all);
    expect(completed).toStrictEqual({
      id: expect.any(String),
      workspace_id: WS,
      endpoint_id: all.id,
      event_id: expect.stringMatching(EVENT_ID),
      event_type: 'simulation.completed',
      status: 'pending',
      attempt_count: 0,
      next_attempt_at: firstAt,
      attempts: [],
      payload: { type: 'simulation.completed', timestamp: firstAt, data: runData(one, 'completed', true, null, firstAt) },
      created_at: firstAt,
      updated_at: firstAt,
    });
    expect(await deliveries(storage, sessionsOnly)).toEqual([]);

    // A refused finish (the run has its result) writes nothing.
    expect(await storage.simulations.finish(one.simulation_id, failedRun, tick())).toBe(false);
    expect(await deliveries(storage, all)).toHaveLength(1);

    // The session's last run: its own event, then the session's, to each endpoint that takes it, under one id.
    const lastAt = tick();
    await storage.simulations.finish(two.simulation_id, failedRun, lastAt);
    const toAll = oldestFirst(await deliveries(storage, all));
    expect(toAll.map((d) => d.event_type)).toEqual(['simulation.completed', 'simulation.failed', 'session.completed']);
    expect(toAll[1]!.payload).toStrictEqual({
      type: 'simulation.failed',
      timestamp: lastAt,
      data: runData(two, 'failed', null, failedRun.error_info, lastAt),
    });
    const sessionData = {
      simulation_session_id: session.simulation_session_id,
      suite_id: null,
      target_agent_id: 'agent-1',
      workspace_id: WS,
      total_simulations: 2,
      completed_simulations: 1,
      failed_simulations: 1,
      pending_simulations: 0,
      passed_simulations: 1,
      pass_rate: 0.5,
      cancelled_at: null,
    };
    expect(toAll[2]!.payload).toStrictEqual({ type: 'session.completed', timestamp: lastAt, data: sessionData });
    const [toSessions] = await deliveries(storage, sessionsOnly);
    expect(toSessions).toMatchObject({ event_id: toAll[2]!.event_id, event_type: 'session.completed', payload: toAll[2]!.payload });
    expect(new Set(toAll.map((d) => d.event_id)).size).toBe(3);
    expect(await deliveries(storage, disabled)).toEqual([]);
    expect(await deliveries(storage, foreign)).toEqual([]);
  });

  it('writes the outbox with a cancel: simulation.failed for each run, session.completed after the last single cancel, session.cancelled for a session', async () => {
    const storage = await fresh();
    const endpoint = endpointOf(WS);
    await storage.webhooks.create(endpoint);
    const single = sessionOf(WS);
    const [a, b] = [runOf(single, 1), runOf(single, 2)];
    await storage.sessions.createRuns(single, [a, b]);
    const firstAt = tick();
    expect(await storage.simulations.cancel(WS, a.simulation_id, firstAt)).toBe(true);
    expect((await deliveries(storage, endpoint)).map((d) => d.payload)).toStrictEqual([
      { type: 'simulation.failed', timestamp: firstAt, data: runData(a, 'failed', null, CANCELLED, firstAt) },
    ]);
    const lastAt = tick();
    expect(await storage.simulations.cancel(WS, b.simulation_id, lastAt)).toBe(true);
    expect(await storage.simulations.cancel(WS, b.simulation_id, tick())).toBe(false);
    const afterSingles = oldestFirst(await deliveries(storage, endpoint));
    expect(afterSingles.map((d) => d.event_type)).toEqual(['simulation.failed', 'simulation.failed', 'session.completed']);
    expect(afterSingles[2]!.payload.data).toMatchObject({ failed_simulations: 2, passed_simulations: 0, pass_rate: 0, cancelled_at: null });

    const cancelled = sessionOf(WS);
    const runs = [runOf(cancelled, 1), runOf(cancelled, 2), runOf(cancelled, 3)];
    await storage.sessions.createRuns(cancelled, runs);
    await storage.simulations.finish(
      runs[0]!.simulation_id,
      { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null },
      tick(),
    );
    const at = tick();
    expect(await storage.sessions.cancel(WS, cancelled.simulation_session_id, at)).toEqual([
      runs[1]!.simulation_id,
      runs[2]!.simulation_id,
    ]);
    const ofSession = oldestFirst(await deliveries(storage, endpoint)).slice(afterSingles.length + 1);
    expect(ofSession.map((d) => d.event_type)).toEqual(['simulation.failed', 'simulation.failed', 'session.cancelled']);
    expect(ofSession.map((d) => (d.payload.data as { simulation_id?: string }).simulation_id)).toEqual([
      runs[1]!.simulation_id,
      runs[2]!.simulation_id,
      undefined,
    ]);
    expect(ofSession[2]!.payload).toStrictEqual({
      type: 'session.cancelled',
      timestamp: at,
      data: {
        simulation_session_id: cancelled.simulation_session_id,
        suite_id: null,
        target_agent_id: 'agent-1',
        workspace_id: WS,
        total_simulations: 3,
        completed_simulations: 1,
        failed_simulations: 2,
        pending_simulations: 0,
        passed_simulations: 1,
        pass_rate: 0.3333,
        cancelled_at: at,
      },
    });
    // Nothing was in progress any more: a second cancel writes nothing.
    const count = (await deliveries(storage, endpoint)).length;
    expect(await storage.sessions.cancel(WS, cancelled.simulation_session_id, tick())).toEqual([]);
    expect(await deliveries(storage, endpoint)).toHaveLength(count);
  });

  it('claims due deliveries of enabled endpoints oldest first under a lease, records attempts (the latest 20), redelivers', async () => {
    const storage = await fresh();
    const endpoint = endpointOf(WS, { previous_secret: 'whsec_b2xk', previous_secret_expires_at: '2025-06-01T00:00:00.000Z' });
    const paused = endpointOf(WS, { event_types: ['simulation.failed'] });
    for (const e of [endpoint, paused]) await storage.webhooks.create(e);
    const session = sessionOf(WS);
    const runs = [runOf(session, 1), runOf(session, 2), runOf(session, 3)];
    await storage.sessions.createRuns(session, runs);
    const finishedAt: string[] = [];
    for (const run of runs.slice(0, 2)) {
      finishedAt.push(tick());
      await storage.simulations.finish(run.simulation_id, failedRun, finishedAt.at(-1)!);
    }
    await storage.webhooks.update(WS, paused.id, { enabled: false, disabled_reason: 'paused' });

    // Not due yet: nothing; due: the endpoint's two, oldest first (the paused endpoint's wait), with what signing needs.
    expect(await storage.webhooks.claimDue(new Date(Date.parse(finishedAt[0]!) - 1).toISOString(), 10, 60_000)).toEqual([]);
    const now = tick();
    const claimed = await storage.webhooks.claimDue(now, 1, 60_000);
    const leaseEnd = new Date(Date.parse(now) + 60_000).toISOString();
    expect(claimed).toHaveLength(1);
    expect(claimed[0]!.endpoint).toStrictEqual({
      id: endpoint.id,
      url: endpoint.url,
      secret: endpoint.secret,
      previous_secret: 'whsec_b2xk',
      previous_secret_expires_at: '2025-06-01T00:00:00.000Z',
      failing_since: null,
    });
    expect(claimed[0]!.delivery).toMatchObject({ endpoint_id: endpoint.id, event_type: 'simulation.failed', next_attempt_at: leaseEnd });
    expect((claimed[0]!.delivery.payload.data as { simulation_id: string }).simulation_id).toBe(runs[0]!.simulation_id);
    const [next] = await storage.webhooks.claimDue(now, 10, 60_000);
    expect((next!.delivery.payload.data as { simulation_id: string }).simulation_id).toBe(runs[1]!.simulation_id);
    // Claimed ones are not claimed again until their lease is over.
    expect(await storage.webhooks.claimDue(new Date(Date.parse(leaseEnd) - 1).toISOString(), 10, 60_000)).toEqual([]);
    const again = await storage.webhooks.claimDue(leaseEnd, 10, 60_000);
    expect(again.map((d) => d.delivery.id)).toEqual([claimed[0]!.delivery.id, next!.delivery.id]);

    // Attempts: a retry keeps it pending and sets failing_since once; the log keeps the latest 20, newest first.
    const id = claimed[0]!.delivery.id;
    const times = Array.from({ length: 22 }, () => tick());
    for (const [i, at] of times.entries())
      expect(
        await storage.webhooks.recordAttempt(id, attemptAt(at, 500, 'HTTP 500'), { status: 'retry', next_attempt_at: `${at}-${i}` }),
      ).toBe(true);
    let delivery = (await deliveries(storage, endpoint)).find((d) => d.id === id)!;
    expect(delivery).toMatchObject({ status: 'pending', attempt_count: 22, next_attempt_at: `${times[21]}-21`, updated_at: times[21] });
    expect(delivery.attempts.map((a) => a.attempted_at)).toEqual(times.slice(2).reverse());
    expect((await storage.webhooks.get(WS, endpoint.id))!.failing_since).toBe(times[0]);

    // Failed for good, with the endpoint disabled in the same step.
    const failedAt = tick();
    expect(
      await storage.webhooks.recordAttempt(
        id,
        attemptAt(failedAt, null, 'timed out'),
        { status: 'failed' },
        { reason: 'Failing since then.' },
      ),
    ).toBe(true);
    delivery = (await deliveries(storage, endpoint)).find((d) => d.id === id)!;
    expect(delivery).toMatchObject({ status: 'failed', next_attempt_at: null, attempt_count: 23 });
    expect(delivery.attempts[0]).toStrictEqual(attemptAt(failedAt, null, 'timed out'));
    expect(await storage.webhooks.get(WS, endpoint.id)).toMatchObject({
      enabled: false,
      disabled_reason: 'Failing since then.',
      failing_since: times[0],
    });
    expect(await storage.webhooks.claimDue(tick(), 10, 60_000)).toEqual([]);
    expect(await storage.webhooks.list(WS, page(1, 10))).toMatchObject({ total: 2 });

    // Re-enabled and redelivered: due now, a new schedule (count from 0), same event id, the log kept.
    await storage.webhooks.update(WS, endpoint.id, { enabled: true, disabled_reason: null, failing_since: null });
    const redeliveredAt = tick();
    expect(await storage.webhooks.redeliver(OTHER, endpoint.id, id, redeliveredAt)).toBeUndefined();
    expect(await storage.webhooks.redeliver(WS, paused.id, id, redeliveredAt)).toBeUndefined();
    const redelivered = await storage.webhooks.redeliver(WS, endpoint.id, id, redeliveredAt);
    expect(redelivered).toStrictEqual({
      ...delivery,
      status: 'pending',
      attempt_count: 0,
      next_attempt_at: redeliveredAt,
      updated_at: redeliveredAt,
    });
    const due = await storage.webhooks.claimDue(tick(), 10, 60_000);
    expect(due.map((d) => d.delivery.id)).toContain(id);
    const deliveredAt = tick();
    expect(await storage.webhooks.recordAttempt(id, attemptAt(deliveredAt, 204), { status: 'delivered' })).toBe(true);
    expect((await deliveries(storage, endpoint)).find((d) => d.id === id)).toMatchObject({
      status: 'delivered',
      next_attempt_at: null,
      attempt_count: 1,
    });
    expect((await storage.webhooks.list(WS, page(1, 10))).items.find((e) => e.id === endpoint.id)!.failing_since).toBeNull();
    expect((await storage.webhooks.deliveries(WS, endpoint.id, { status: 'delivered' }, page(1, 10))).items.map((d) => d.id)).toEqual([id]);
    expect((await storage.webhooks.deliveries(WS, endpoint.id, { status: 'pending' }, page(1, 10))).total).toBe(1);
    expect(await storage.webhooks.recordAttempt('no-such-delivery', attemptAt(tick(), 200), { status: 'delivered' })).toBe(false);
  });
});

describe('PostgreSQL webhooks across processes (issue 13)', () => {
  const open = async (url: string) => closeAfterTest(await openPostgresStorage(url));

  it('claims each due delivery once with two dispatchers at once (SKIP LOCKED), and one session.completed when its last runs finish together', async () => {
    const url = await freshSchema();
    const [first, second] = [await open(url), await open(url)];
    await first.workspaces.create({ id: WS, name: 'W', created_at: tick() });
    const endpoint = endpointOf(WS);
    await first.webhooks.create(endpoint);
    const session = sessionOf(WS);
    const runs = Array.from({ length: 40 }, (_, n) => runOf(session, n + 1));
    await first.sessions.createRuns(session, runs);
    // The last two runs finish on two processes at once: exactly one sees the session with none pending.
    for (const run of runs.slice(0, 38))
      await first.simulations.finish(
        run.simulation_id,
        { status: 'completed', success_criteria_analysis: ANALYSIS, error_info: null },
        tick(),
      );
    const at = tick();
    await Promise.all(
      [first, second].map((storage, i) =>
        storage.simulations.finish(
          runs[38 + i]!.simulation_id,
          { status: 'completed', success_criteria_analysis: null, error_info: null },
          at,
        ),
      ),
    );
    const all = (await first.webhooks.deliveries(WS, endpoint.id, {}, page(1, 100))).items;
    expect(all).toHaveLength(41);
    const completed = all.filter((d) => d.event_type === 'session.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.payload.data).toMatchObject({
      total_simulations: 40,
      completed_simulations: 40,
      pending_simulations: 0,
      passed_simulations: 38,
      pass_rate: 0.95,
    });

    const now = tick();
    const claims = await Promise.all([first, second, first, second].map((storage) => storage.webhooks.claimDue(now, 15, 60_000)));
    const claimed = claims.flat().map((d) => d.delivery.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual(all.map((d) => d.id).sort());
    expect(await second.webhooks.claimDue(now, 100, 60_000)).toEqual([]);
  });
});
