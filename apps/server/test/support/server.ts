import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll } from 'vitest';
import type { paths } from '@sims/api-types';
import { startServer, type EngineFactory, type RunningServer } from '../../src/server.js';
import { ENGINE_DEFAULTS, type RateLimitConfig } from '../../src/config.js';
import type { TimeoutConfig } from '../../src/http/transport.js';
import type { EngineConfig } from '../../src/engine/simulation-engine.js';
import { WEBHOOK_DEFAULTS, type WebhookConfig } from '../../src/webhooks/config.js';
import { createWorkspace } from '../../src/keys.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** The key of the workspace made on first start (undefined when the data dir was not empty). */
  key: string;
}

export const tempDir = () => mkdtemp(join(tmpdir(), 'sims-server-test-'));

/**
 * What test servers send to webhook endpoints unless a test asks: nothing (the dispatcher claims
 * none), since flows register endpoints on public example hosts and tests connect only to servers
 * they started on loopback. A test of delivery passes `webhooks` with a receiver on 127.0.0.1.
 */
export const NO_WEBHOOK_SENDING: WebhookConfig = { ...WEBHOOK_DEFAULTS, concurrency: 0 };

/** A real server on a free loopback port with its own data directory; no rate limit unless asked; no webhook sent unless asked. */
export async function startTestServer(
  options: {
    dataDir?: string;
    rateLimit?: RateLimitConfig;
    engine?: EngineFactory;
    engineConfig?: Partial<EngineConfig>;
    timeouts?: TimeoutConfig;
    webhooks?: WebhookConfig;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await tempDir());
  const server = await startServer(
    {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      rateLimit: options.rateLimit ?? { max: 0, windowMs: 60_000 },
      bodyLimit: 1024 * 1024,
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      logLevel: 'silent',
      shutdownGraceMs: 5_000,
      engine: { ...ENGINE_DEFAULTS, ...options.engineConfig },
      webhooks: options.webhooks ?? NO_WEBHOOK_SENDING,
    },
    options.engine,
  );
  return Object.assign(server, { dataDir, key: server.firstStart?.key ?? '' });
}

/** A second workspace on the same server, with its key. */
export async function otherWorkspace(server: RunningServer): Promise<string> {
  return (await createWorkspace(server.storage, 'Other workspace')).minted.key;
}

export function apiClient(baseUrl: string, key?: string) {
  return createClient<paths>({ baseUrl, headers: key ? { Authorization: `Bearer ${key}` } : {} });
}
export type ApiClient = ReturnType<typeof apiClient>;

/** Raw HTTP, for requests a typed client cannot send (malformed JSON, wrong types). */
export async function raw(url: string, init: { method?: string; key?: string; body?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.Authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers['Content-Type'] ??= 'application/json';
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { response, status: response.status, text, json: json as any };
}

export type Seeded = Awaited<ReturnType<typeof seed>>;

/**
 * For a test file: a server with a seeded workspace, started before the file's tests and stopped
 * after them. Read `server` and `ids` inside tests (they are set once `beforeAll` has run).
 */
export function seededServerForFile(): { server: TestServer; ids: Seeded } {
  const shared = {} as { server: TestServer; ids: Seeded };
  beforeAll(async () => {
    shared.server = await startTestServer();
    shared.ids = await seed(apiClient(shared.server.url, shared.server.key));
  });
  afterAll(() => shared.server.stop());
  return shared;
}

/** Creates an agent, a suite for it and cases in the suite; answers their ids. */
export async function seed(client: ApiClient, cases = 2) {
  const agent = (await client.POST('/agents', { body: { name: 'Acme Support', prompt: 'You are the support agent of Acme.' } })).data!
    .response;
  const suite = (await client.POST('/simulation_suites', { body: { name: 'Support suite', model_id: agent.id } })).data!.response;
  const caseIds: string[] = [];
  for (let i = 0; i < cases; i += 1) {
    const created = await client.POST('/simulation_cases', {
      body: {
        name: `Case ${i + 1}`,
        prompt: `Caller ${i + 1} wants a refund.`,
        success_criteria: ['Agent offered a refund'],
        call_success_type: 'all',
        suite_id: suite.id,
      },
    });
    caseIds.push(created.data!.response.simulation_case.simulation_case_id);
  }
  const scenario = (
    await client.POST('/simulation_scenarios', { body: { name: 'Changes mind', description: 'The caller changes the request.' } })
  ).data!.response;
  return { agentId: agent.id, suiteId: suite.id, caseIds, scenarioId: scenario.id };
}
