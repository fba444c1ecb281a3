import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paginated, paginatedText } from '../src/handlers/common.js';
import type { AgentRecord, CaseFilter, CaseRecord, PageRequest, Storage } from '../src/storage/types.js';
import { caseReadOut } from '../src/views.js';
import { agentRecord } from './support/agents.js';
import { storesForFile } from './support/stores.js';

/**
 * Case read-outs as JSON text (`cases.readOut`, `cases.readOutPage`: SQLite writes them in SQL) are
 * the very text `JSON.stringify` makes of `caseReadOut` (views.ts) of the case and of its base agent
 * read apart, on SQLite and on PostgreSQL, the agent only from the case's own workspace, and a page's
 * total is the list's. Also for any text the records may hold (quotes, control characters, emoji…).
 */
const { factories } = storesForFile();

let clock = Date.parse('2025-06-01T08:00:00.000Z');
const tick = () => {
  clock += 1000;
  return new Date(clock).toISOString();
};

const agentOf = (ws: string, name: string, extra: Partial<AgentRecord> = {}): AgentRecord =>
  agentRecord(ws, name, tick(), {
    prompt: `You are ${name}.`,
    connector: { kind: 'http', url: 'https://agent.example/turn', headers: { 'X-Secret': 's3cret' } },
    avatar_url: 'https://agent.example/a.png',
    phone_number: '+15550100',
    ...extra,
  });

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
    tool_mocks: [{ name: 'lookup_order', arguments: { order_id: 'A-1' }, result: { status: 'shipped «today»' } }],
    expected_agent_turns: ['Hello, how can I help?'],
    base_agent_id,
    created_at: at,
    updated_at: at,
  };
};

/** The read-outs as the handlers made them before: the cases, then their agents by id within the workspace, through views.ts. */
async function readApart(storage: Storage, ws: string, records: CaseRecord[]) {
  const agents = await storage.agents.getMany(
    ws,
    records.flatMap((c) => (c.base_agent_id ? [c.base_agent_id] : [])),
  );
  return records.map((record) => caseReadOut(record, record.base_agent_id ? agents.get(record.base_agent_id) : undefined));
}

const page = (page_number: number, page_size: number): PageRequest => ({ page_number, page_size });

/** The page of read-outs as text, against the same page listed as records and made read-outs apart. */
async function expectPageAsApart(storage: Storage, ws: string, filter: CaseFilter, request: PageRequest) {
  const listed = await storage.cases.list(ws, filter, request);
  const { items, total } = await storage.cases.readOutPage(ws, filter, request);
  expect(total).toBe(listed.total);
  expect(items).toBe(JSON.stringify(await readApart(storage, ws, listed.items)));
  expect(paginatedText(items, total, request)).toBe(JSON.stringify(paginated(JSON.parse(items), total, request)));
}

describe.each(factories)('case read-outs as JSON text ($name)', ({ open }) => {
  async function seeded() {
    const storage = await open();
    for (const id of ['ws-a', 'ws-b']) await storage.workspaces.create({ id, name: id, created_at: tick() });
    const agent = agentOf('ws-a', 'Support');
    const other = agentOf('ws-b', 'Elsewhere');
    // No phone, no avatar, a built-in connector.
    const plain = agentOf('ws-a', 'Plain', { connector: { kind: 'builtin', latency_ms: 0 }, phone_number: null, avatar_url: null });
    for (const a of [agent, other, plain]) await storage.agents.create(a);
    const cases = [
      caseOf('ws-a', 'Refund', agent.id),
      caseOf('ws-a', 'No agent', null),
      caseOf('ws-a', 'Agent gone', randomUUID()),
      // An id of another workspace's agent names no agent here.
      caseOf('ws-a', 'Foreign agent', other.id),
      caseOf('ws-a', 'Refund again', agent.id, 'suite-1'),
      caseOf('ws-a', 'Plain agent', plain.id, 'suite-1'),
      caseOf('ws-b', 'Other workspace', other.id),
    ];
    for (const record of cases) await storage.cases.create(record);
    return { storage, agent, cases };
  }

  it('reads one case with its agent as the read-out of the case and the agent read apart', async () => {
    const { storage, agent, cases } = await seeded();
    for (const record of cases.filter((c) => c.workspace_id === 'ws-a')) {
      const [expected] = await readApart(storage, 'ws-a', [(await storage.cases.get('ws-a', record.simulation_case_id))!]);
      expect(await storage.cases.readOut('ws-a', record.simulation_case_id)).toBe(JSON.stringify(expected));
    }
    expect(JSON.parse((await storage.cases.readOut('ws-a', cases[0]!.simulation_case_id))!).base_agent.model_id).toBe(agent.id);
    expect(JSON.parse((await storage.cases.readOut('ws-a', cases[3]!.simulation_case_id))!).base_agent).toBeNull();
    expect(await storage.cases.readOut('ws-a', cases[6]!.simulation_case_id)).toBeUndefined();
    expect(await storage.cases.readOut('ws-b', cases[0]!.simulation_case_id)).toBeUndefined();
    expect(await storage.cases.readOut('ws-a', 'missing')).toBeUndefined();
  });

  it('reads a page as the list of the same page made read-outs apart, with the same total, for every filter and page', async () => {
    const { storage } = await seeded();
    const filters: CaseFilter[] = [
      {},
      { suite_id: 'suite-1' },
      { search: 'REFUND' },
      { simulation_case_type: 'custom' },
      { suite_id: 'none' },
    ];
    for (const filter of filters)
      for (const request of [page(1, 10), page(1, 2), page(2, 2), page(3, 2), page(4, 2), page(9, 2)])
        await expectPageAsApart(storage, 'ws-a', filter, request);
    expect((await storage.cases.readOutPage('ws-none', {}, page(1, 10))).items).toBe('[]');
  });

  it('writes any text the records hold as JSON.stringify does', async () => {
    const storage = await open();
    await storage.workspaces.create({ id: 'ws-a', name: 'ws-a', created_at: tick() });
    // Any string but lone surrogates, which UTF-8 cannot hold (stored, they read back as U+FFFD), and U+0000,
    // which PostgreSQL's text cannot hold and the API refuses (test/nul-text.test.ts).
    const text = fc
      .oneof(
        fc.string({ unit: 'binary' }),
        fc.array(fc.constantFrom('"', '\\', '\n', '\t', '\u001f', '\u007f', '\u2028', '/', 'é', '😀')).map((a) => a.join('')),
      )
      .map((value) => (value as string & { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', ''));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          name: text,
          prompt: text,
          criteria: fc.array(text, { maxLength: 3 }),
          turns: fc.array(text, { maxLength: 2 }),
          phone: fc.option(text),
          kind: fc.constantFrom('builtin', 'http', 'openai'),
        }),
        async ({ name, prompt, criteria, turns, phone, kind }) => {
          const agent = agentOf('ws-a', name, {
            prompt,
            phone_number: phone,
            avatar_url: phone,
            connector: (kind === 'builtin'
              ? { kind }
              : kind === 'http'
                ? { kind, url: 'https://agent.example/turn' }
                : { kind, base_url: 'https://llm.example/v1', model: name }) as AgentRecord['connector'],
          });
          await storage.agents.create(agent);
          const record = { ...caseOf('ws-a', name, agent.id), prompt, success_criteria: criteria, caller_turns: turns };
          await storage.cases.create(record);
          const [expected] = await readApart(storage, 'ws-a', [(await storage.cases.get('ws-a', record.simulation_case_id))!]);
          expect(await storage.cases.readOut('ws-a', record.simulation_case_id)).toBe(JSON.stringify(expected));
          await expectPageAsApart(storage, 'ws-a', {}, page(1, 3));
        },
      ),
      { numRuns: 60 },
    );
  });
});
