import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv } from '../src/config.js';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { createWorkspace } from '../src/keys.js';
import { startServer, type RunningServer } from '../src/server.js';
import { IdPool, type Kind } from './ids.js';
import type { Keys } from './wire.js';

/** The server under test with its seeded workspaces. */
export interface FuzzTarget {
  server: RunningServer;
  keys: Keys;
  pool: IdPool;
  stop(): Promise<void>;
}

/**
 * Starts the real server in-process on a loopback port with a fresh database, no rate limit, and the
 * queue-only engine: simulations are recorded but never run, so no request the fuzzer makes (agents
 * and webhook endpoints may carry any URL) ever connects beyond loopback.
 */
export async function startTarget(): Promise<FuzzTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sims-fuzz-'));
  const defaults = configFromEnv({});
  const server = await startServer(
    {
      ...defaults,
      host: '127.0.0.1',
      port: 0,
      dataDir,
      rateLimit: { max: 0, windowMs: 60_000 },
      logLevel: 'silent',
      shutdownGraceMs: 2_000,
      // No delivery leaves either: a dispatcher with no room for an attempt claims none, so the
      // webhook endpoints the fuzzer makes (any public URL) get their deliveries written, never sent.
      webhooks: { ...defaults.webhooks!, concurrency: 0 },
    },
    () => new QueueOnlyEngine(),
  );
  const pool = new IdPool();
  try {
    const main = server.firstStart!.key;
    const foreign = (await createWorkspace(server.storage, 'Fuzz other workspace')).minted.key;
    /** What an engine would record: the run started, then completed with one verdict. */
    const finish = async (id: string, passed: boolean) => {
      const at = new Date().toISOString();
      await server.storage.simulations.markStarted(id, at);
      const verdict = {
        success: passed,
        verdict: passed ? 'passed' : 'failed',
        criterion: 'Agent offered a refund',
        reasoning: 'Seeded.',
      } as const;
      await server.storage.simulations.finish(
        id,
        { status: 'completed', success_criteria_analysis: { success: passed, evaluations: [verdict] }, error_info: null },
        at,
      );
    };
    await seed(
      server.url,
      main,
      (kind, id) => pool.addSeeded(kind, id),
      (suite, agent) => pool.setSuiteAgent(suite, agent),
      finish,
    );
    await seed(
      server.url,
      foreign,
      (kind, id) => pool.addForeign(kind, id),
      () => {},
      finish,
    );
    return {
      server,
      keys: { main, foreign },
      pool,
      async stop() {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** A few of every resource: agents, suites with cases, loose cases, scenarios, a session, simulations. */
async function seed(
  base: string,
  key: string,
  add: (kind: Kind, id: string) => void,
  suiteAgent: (suite: string, agent: string) => void,
  finish: (simulation_id: string, passed: boolean) => Promise<unknown>,
) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await response.json()) as Record<string, any>;
    if (!response.ok) throw new Error(`seeding: ${method} ${path} answered ${response.status} ${JSON.stringify(json)}`);
    // Every answer is in the `{status, response}` envelope but execute's, which follows the reference API.
    return (json.response ?? json) as Record<string, any>;
  };
  const agents: string[] = [];
  for (const name of ['Support agent', 'Sales agent', 'Billing agent']) {
    const agent = await call('POST', '/agents', { name, prompt: `You are the ${name.toLowerCase()} of Acme.` });
    agents.push(agent.id);
    add('agent', agent.id);
  }
  const suites: string[] = [];
  for (const [i, agent] of agents.slice(0, 2).entries()) {
    const suite = await call('POST', '/simulation_suites', { name: `Suite ${i + 1}`, model_id: agent });
    suites.push(suite.id);
    add('suite', suite.id);
    suiteAgent(suite.id, agent);
    for (let c = 0; c < 3; c += 1) {
      const made = await call('POST', '/simulation_cases', {
        name: `Case ${c + 1}`,
        prompt: `Caller ${c + 1} wants a refund.`,
        success_criteria: ['Agent offered a refund'],
        call_success_type: 'all',
        suite_id: suite.id,
      });
      add('case', made.simulation_case.simulation_case_id);
    }
  }
  const loose = await call('POST', '/simulation_cases', {
    name: 'Loose case',
    prompt: 'Caller asks for opening hours.',
    success_criteria: ['Agent gave the hours'],
    call_success_type: 'any',
    base_agent_id: agents[2],
  });
  add('case', loose.simulation_case.simulation_case_id);
  for (const name of ['Changes mind', 'Angry caller'])
    add('scenario', (await call('POST', '/simulation_scenarios', { name, description: `The caller: ${name}.` })).id);
  // An endpoint subscribed to every event, so that the finished runs below leave it deliveries (the
  // fuzz target's dispatcher sends none).
  const endpoint = (await call('POST', '/webhook_endpoints', { url: 'https://hooks.example.org/fuzz' })).endpoint as { id: string };
  add('endpoint', endpoint.id);
  // The suite runs twice and both sessions are finished (the queue-only engine runs nothing), so that
  // a comparison with the last one can succeed.
  for (let run = 0; run < 2; run += 1) {
    const executed = await call('POST', `/simulation_suites/${suites[0]}/execute?target_agent_id=${agents[0]}`);
    add('session', executed.session_id);
    const runs = await call('GET', `/simulations?simulation_session_id=${executed.session_id}`);
    for (const simulation of runs.items as Array<{ simulation_id: string }>) {
      add('simulation', simulation.simulation_id);
      await finish(simulation.simulation_id, run === 0);
    }
  }
  const simulation = await call('POST', '/simulations', {
    simulation_case_id: loose.simulation_case.simulation_case_id,
    target_agent_id: agents[2],
  });
  add('simulation', simulation.simulation_id);
  add('session', simulation.simulation_session_id);
  const deliveries = await call('GET', `/webhook_endpoints/${endpoint.id}/deliveries?page_size=100`);
  for (const delivery of deliveries.items as Array<{ id: string }>) add('delivery', delivery.id);
}
