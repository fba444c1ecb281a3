import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '@sims/api-types';
import { Webhook } from 'standardwebhooks';
import { agentRecord } from './support/agents.js';
import { apiClient, otherWorkspace, startTestServer, type ApiClient, type TestServer } from './support/server.js';
import { responseProblems } from './support/strict-spec.js';
import { startWebhookAgent } from './support/webhook-agent.js';

/**
 * Signed agent turns (spec/README.md "Signed agent turns"): the real engine posts every turn to a
 * loopback agent, which checks each request with the `standardwebhooks` library as an agent would.
 */
type Simulation = components['schemas']['SimulationReadOut'];

let server: TestServer;
let api: ApiClient;
let hook: Awaited<ReturnType<typeof startWebhookAgent>>;

beforeAll(async () => {
  // Two turns per run: the agent opens, the caller answers, the agent ends the call.
  hook = await startWebhookAgent((turn) => ({ json: { reply: 'Hello, how can I help?', end_call: turn.conversation.length >= 2 } }));
  server = await startTestServer({ engineConfig: { allowPrivateNetworks: true } });
  api = apiClient(server.url, server.key);
});
afterAll(async () => {
  await server.stop();
  await hook.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function finished(id: string): Promise<Simulation> {
  for (let i = 0; i < 2000; i += 1) {
    const s = (await api.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: id } } })).data!.response;
    if (s.status !== 'in-progress') return s;
    await sleep(15);
  }
  throw new Error(`gave up waiting for simulation ${id}`);
}

let caseId: string;
/** Runs the case against the agent and answers the indexes of its turn requests in `hook`. */
async function runTurns(agentId: string): Promise<number[]> {
  if (!caseId) {
    const created = await api.POST('/simulation_cases', {
      body: {
        name: 'Signed',
        prompt: 'Ask for help.',
        caller_turns: ['I need help.'],
        success_criteria: ['Helped'],
        call_success_type: 'all',
      },
    });
    caseId = created.data!.response.simulation_case.simulation_case_id;
  }
  const before = hook.received.length;
  const started = await api.POST('/simulations', { body: { simulation_case_id: caseId, target_agent_id: agentId } });
  expect(started.response.status).toBe(200);
  const run = await finished(started.data!.response.simulation_id);
  expect(run.status).toBe('completed');
  const turns = Array.from({ length: hook.received.length - before }, (_, i) => before + i);
  expect(turns.length).toBe(2);
  return turns;
}

const headersOf = (index: number) => hook.headers[index] as Record<string, string>;
const verifies = (secret: string, index: number, body = hook.bodies[index]!) => {
  try {
    new Webhook(secret).verify(body, headersOf(index));
    return true;
  } catch {
    return false;
  }
};

async function createHttpAgent(name: string) {
  const created = await api.POST('/agents', {
    body: { name, prompt: 'You help.', connector: { kind: 'http', url: hook.url, timeout_ms: 5000 } },
  });
  expect(created.response.status).toBe(200);
  expect(responseProblems('createAgent', 200, created.data)).toEqual([]);
  return created.data!.response;
}

describe('signed agent turns', () => {
  it('signs every turn with the secret createAgent answered, a new webhook-id per turn; a tampered body fails', async () => {
    const agent = await createHttpAgent('Signed agent');
    const secret = agent.signing_secret!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);

    const turns = await runTurns(agent.id);
    for (const i of turns) {
      expect(verifies(secret, i)).toBe(true);
      expect(headersOf(i)['webhook-signature']!.split(' ')).toHaveLength(1);
      expect(JSON.parse(hook.bodies[i]!)).toEqual(hook.received[i]);
    }
    const ids = turns.map((i) => hook.headers[i]!['webhook-id']);
    expect(new Set(ids).size).toBe(turns.length);
    expect(verifies(secret, turns[0]!, hook.bodies[turns[0]!]!.replace('"conversation"', '"conversation" '))).toBe(false);
    expect(verifies(secret, turns[0]!, hook.bodies[turns[1]!]!)).toBe(false);
    const another = await createHttpAgent('Another agent');
    expect(another.signing_secret).not.toBe(secret);
    expect(verifies(another.signing_secret!, turns[0]!)).toBe(false);
  });

  it('after a rotation signs with both the new and the previous secret; never answers a secret in reads', async () => {
    const agent = await createHttpAgent('Rotated agent');
    const previous = agent.signing_secret!;
    const rotated = await api.POST('/agents/{agent_id}/rotate_signing_secret', { params: { path: { agent_id: agent.id } } });
    expect(rotated.response.status).toBe(200);
    expect(responseProblems('rotateAgentSigningSecret', 200, rotated.data)).toEqual([]);
    const { agent_id, signing_secret } = rotated.data!.response;
    expect(agent_id).toBe(agent.id);
    expect(signing_secret).not.toBe(previous);

    for (const i of await runTurns(agent.id)) {
      expect(verifies(signing_secret, i)).toBe(true);
      expect(verifies(previous, i)).toBe(true);
      expect(headersOf(i)['webhook-signature']!.split(' ')).toHaveLength(2);
    }

    const read = await api.GET('/agents/{agent_id}', { params: { path: { agent_id: agent.id } } });
    const list = await api.GET('/agents', { params: { query: { page_size: 100 } } });
    const updated = await api.PUT('/agents/{agent_id}', { params: { path: { agent_id: agent.id } }, body: { name: 'Renamed' } });
    expect(responseProblems('getAgent', 200, read.data)).toEqual([]);
    expect(responseProblems('listAgents', 200, list.data)).toEqual([]);
    expect(responseProblems('updateAgent', 200, updated.data)).toEqual([]);
    for (const text of [JSON.stringify(read.data), JSON.stringify(list.data), JSON.stringify(updated.data)]) {
      expect(text).not.toContain('signing_secret');
      expect(text).not.toContain('whsec_');
    }
  });

  it('sends an agent stored without a secret unsigned turns until its secret is rotated; 404 for unknown and foreign agents', async () => {
    const { workspace_id } = await createHttpAgent('Workspace probe');
    const legacy = agentRecord(workspace_id, 'Legacy agent', new Date().toISOString(), {
      connector: { kind: 'http', url: hook.url, timeout_ms: 5000 },
    });
    await server.storage.agents.create(legacy);
    for (const i of await runTurns(legacy.id)) {
      expect(Object.keys(hook.headers[i]!).filter((name) => name.startsWith('webhook-'))).toEqual([]);
    }

    const foreign = apiClient(server.url, await otherWorkspace(server));
    const path = { params: { path: { agent_id: legacy.id } } };
    expect((await foreign.POST('/agents/{agent_id}/rotate_signing_secret', path)).response.status).toBe(404);
    const unknown = { params: { path: { agent_id: '00000000-0000-4000-8000-000000000000' } } };
    expect((await api.POST('/agents/{agent_id}/rotate_signing_secret', unknown)).response.status).toBe(404);

    const rotated = await api.POST('/agents/{agent_id}/rotate_signing_secret', path);
    expect(rotated.response.status).toBe(200);
    const secret = rotated.data!.response.signing_secret;
    for (const i of await runTurns(legacy.id)) {
      expect(verifies(secret, i)).toBe(true);
      expect(headersOf(i)['webhook-signature']!.split(' ')).toHaveLength(1);
    }
  });
});
