import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulationEngine } from '../src/engine/simulation-engine.js';
import { SqliteStorage } from '../src/storage/sqlite/index.js';
import type { TimelineItem } from '../src/storage/types.js';
import { agentRecord } from './support/agents.js';
import { runOf, sessionRecord } from './support/records.js';
import { tempDir } from './support/server.js';

/**
 * How the engine's writes reach storage (issue 10, item 7): every write of a turn of the event loop
 * (runs starting, events, runs finishing) in one commit, in the order it came, each refused alone
 * when it fails; and a run's events of one turn in one append, those of its last turn with its result.
 */
const WS = 'ws-main';
let clock = Date.parse('2025-04-01T09:00:00.000Z');
const tick = () => {
  clock += 1000;
  return new Date(clock).toISOString();
};

const open: SqliteStorage[] = [];
afterEach(async () => {
  for (const storage of open.splice(0)) await storage.close();
});

const event = (i: number): TimelineItem => ({
  sender_type: i % 2 ? 'agent' : 'persona',
  type: 'message',
  value: `turn ${i}`,
  timestamp: (i * 0.5).toFixed(3),
  timestamp_datetime: tick(),
});

async function fresh(runs: number) {
  const storage = new SqliteStorage(join(await tempDir(), 'sims.db'));
  open.push(storage);
  await storage.workspaces.create({ id: WS, name: 'Main', created_at: tick() });
  await storage.agents.create(
    agentRecord(WS, 'Nora', tick(), { id: 'agent-1', prompt: 'Shop support', connector: { kind: 'builtin', latency_ms: 5 } }),
  );
  const session = sessionRecord(WS, tick());
  const records = Array.from({ length: runs }, (_, n) =>
    runOf(session, n, { simulation_case_prompt: 'You want to know the opening hours.', success_criteria: [], custom_variables: null }),
  );
  await storage.sessions.createRuns(session, records);
  return { storage, ids: records.map((r) => r.simulation_id), records };
}

describe('the engine writes of one turn', () => {
  it('are committed in the order they came, and a write that fails is refused alone', async () => {
    const { storage, ids } = await fresh(2);
    const [one, two] = ids as [string, string];
    const [started, finished] = [tick(), tick()];
    const items = [event(0), event(1), event(2)];
    // All queued in one turn: run one starts, logs, finishes with a last event; a write for a run
    // that does not exist sits between them.
    const settled = await Promise.allSettled([
      storage.simulations.markStarted(one, started),
      storage.simulations.appendTimeline(one, [items[0]!], tick()),
      storage.simulations.appendTimeline('no-such-run', [event(9)], tick()),
      storage.simulations.finish('no-such-run', { status: 'failed', success_criteria_analysis: null, error_info: null }, tick()),
      storage.simulations.appendTimeline(two, [items[1]!], tick()),
      storage.simulations.finish(
        one,
        { status: 'completed', success_criteria_analysis: null, error_info: null, events: [items[2]!] },
        finished,
      ),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await storage.simulations.get(WS, one)).toMatchObject({
      status: 'completed',
      started_at: started,
      finished_at: finished,
      timeline: [items[0], items[2]],
    });
    expect(await storage.simulations.get(WS, two)).toMatchObject({ status: 'in-progress', started_at: null, timeline: [items[1]] });
  });

  it('are all refused when the commit itself fails, and the storage goes on afterwards', async () => {
    const { storage, ids } = await fresh(1);
    const [one] = ids as [string];
    // A second connection holding the write lock makes the commit fail (busy) for every write queued.
    storage.db.pragma('busy_timeout = 0');
    const { default: BetterSqlite3 } = await import('better-sqlite3');
    const other = new BetterSqlite3(storage.file);
    other.exec('BEGIN IMMEDIATE');
    const settled = await Promise.allSettled([
      storage.simulations.markStarted(one, tick()),
      storage.simulations.appendTimeline(one, [event(0)], tick()),
    ]);
    other.exec('ROLLBACK');
    other.close();
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await storage.simulations.get(WS, one)).toMatchObject({ started_at: null, timeline: [] });
    const item = event(1);
    await storage.simulations.appendTimeline(one, [item], tick());
    expect((await storage.simulations.get(WS, one))!.timeline).toStrictEqual([item]);
  });
});

describe("the engine's appends", () => {
  it("store a run's events of one turn in one append, the first at once, the whole timeline in order", async () => {
    const { storage, records } = await fresh(1);
    const run = records[0]!;
    storage.db
      .prepare('UPDATE simulations SET run_input = ? WHERE id = ?')
      .run(
        JSON.stringify({ checks: [], caller_turns: ['When are you open?', 'And on Saturday?', 'Thanks, goodbye. [END_CALL]'] }),
        run.simulation_id,
      );
    const appends: string[][] = [];
    const append = storage.simulations.appendTimeline;
    storage.simulations.appendTimeline = (id, items, at) => {
      appends.push(items.map((i) => `${i.sender_type} ${i.type}`));
      return append(id, items, at);
    };
    const engine = new SimulationEngine(storage, { concurrency: 1, timeoutMs: 30_000, allowPrivateNetworks: false, llm: {} });
    engine.submit([run]);
    for (let i = 0; i < 2000 && (await storage.simulations.get(WS, run.simulation_id))!.status === 'in-progress'; i += 1)
      await new Promise((r) => setTimeout(r, 5));
    await engine.stop();
    const read = (await storage.simulations.get(WS, run.simulation_id))!;
    expect(read.status, JSON.stringify(read.error_info)).toBe('completed');
    // The agent answers after its latency; the caller's line follows at once, in the same turn. The
    // last turn's events, not sent when the call ends, go with the result (one commit, not two).
    expect(appends).toEqual([['agent message'], ['persona message'], ['agent message', 'persona message']]);
    expect(read.timeline!.map((i) => `${i.sender_type} ${i.type}`)).toEqual([
      ...appends.flat(),
      'agent message',
      'persona message',
      'persona end_call',
    ]);
  });
});
