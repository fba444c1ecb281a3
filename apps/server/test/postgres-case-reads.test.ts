import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AgentRecord, CaseRecord, Storage } from '../src/storage/types.js';
import { storesForFile } from './support/stores.js';

/**
 * A case read with its base agent (`cases.getWithAgent`, one statement on both storages) answers
 * exactly what a case read and then an agents read (`cases.get`, `agents.getMany`) answer, on SQLite
 * and on PostgreSQL, the agent only from the case's own workspace.
 */
const { factories } = storesForFile();

let clock = Date.parse('2025-06-01T08:00:00.000Z');
const tick = () => {
  clock += 1000;
  return new Date(clock).toISOString();
};

const agentOf = (ws: string, name: string, extra: Partial<AgentRecord> = {}): AgentRecord => {
  const at = tick();
  return {
    id: randomUUID(),
    workspace_id: ws,
    name,
    prompt: `You are ${name}.`,
    connector: { kind: 'http', url: 'https://agent.example/turn', headers: { 'X-Secret': 's3cret' } },
    agent_type: 'inbound',
    avatar_url: 'https://agent.example/a.png',
    phone_number: '+15550100',
    created_at: at,
    updated_at: at,
    ...extra,
  } as AgentRecord;
};

const caseOf = (ws: string, name: string, base_agent_id: string | null, suite_id: string | null = null): CaseRecord => {
  const at = tick();
  return {
    simulation_case_id: randomUUID(),
    workspace_id: ws,
    suite_id,
    name,
    prompt: `Ask about ${name}`,
    type: 'custom',
    success_criteria: ['Polite'],
    call_success_type: 'all',
    checks: [],
    caller_turns: ['Hi'],
    base_agent_id,
    created_at: at,
    updated_at: at,
  };
};

/** What the handler read before: the case, then its agent by id within the workspace. */
async function readApart(storage: Storage, ws: string, records: CaseRecord[]) {
  const agents = await storage.agents.getMany(
    ws,
    records.flatMap((c) => (c.base_agent_id ? [c.base_agent_id] : [])),
  );
  return records.map((record) => ({ record, agent: record.base_agent_id ? agents.get(record.base_agent_id) : undefined }));
}

describe.each(factories)('cases with their agents ($name)', ({ open }) => {
  async function seeded() {
    const storage = await open();
    for (const id of ['ws-a', 'ws-b']) await storage.workspaces.create({ id, name: id, created_at: tick() });
    const agent = agentOf('ws-a', 'Support');
    const other = agentOf('ws-b', 'Elsewhere');
    await storage.agents.create(agent);
    await storage.agents.create(other);
    const cases = [
      caseOf('ws-a', 'Refund', agent.id),
      caseOf('ws-a', 'No agent', null),
      caseOf('ws-a', 'Agent gone', randomUUID()),
      // An id of another workspace's agent names no agent here.
      caseOf('ws-a', 'Foreign agent', other.id),
      caseOf('ws-a', 'Refund again', agent.id),
      caseOf('ws-b', 'Other workspace', other.id),
    ];
    for (const record of cases) await storage.cases.create(record);
    return { storage, agent, cases };
  }

  it('reads one case with its agent as a case read and an agent read answer them', async () => {
    const { storage, agent, cases } = await seeded();
    for (const record of cases.filter((c) => c.workspace_id === 'ws-a')) {
      const expected = (await readApart(storage, 'ws-a', [(await storage.cases.get('ws-a', record.simulation_case_id))!]))[0];
      expect(await storage.cases.getWithAgent('ws-a', record.simulation_case_id)).toEqual(expected);
    }
    expect((await storage.cases.getWithAgent('ws-a', cases[0]!.simulation_case_id))?.agent).toEqual(agent);
    expect((await storage.cases.getWithAgent('ws-a', cases[3]!.simulation_case_id))?.agent).toBeUndefined();
    expect(await storage.cases.getWithAgent('ws-a', cases[5]!.simulation_case_id)).toBeUndefined();
    expect(await storage.cases.getWithAgent('ws-b', cases[0]!.simulation_case_id)).toBeUndefined();
    expect(await storage.cases.getWithAgent('ws-a', 'missing')).toBeUndefined();
  });
});
