import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  QueueOnlyEngine,
  startServer,
  type EngineFactory,
  type RunningServer,
  type ServerConfig,
  type SimulationRecord,
  type Storage,
} from '@sims/server';

/** Criteria containing this marker fail; cases whose prompt contains ERROR_MARKER cannot run. */
export const FAIL_MARKER = '[fails]';
export const ERROR_MARKER = '[errors]';
/** Runs of cases whose prompt contains REPLAY_MARKER depart from their recording at the agent's second reply. */
export const REPLAY_MARKER = '[replay]';

/**
 * The model usage a judged run reports: one judge call per criterion, 100 prompt and 20 completion
 * tokens and 500 ms each; no persona or agent model (as a builtin agent with a scripted caller).
 */
export function judgeUsage(criteria: number) {
  const none = { calls: 0, prompt_tokens: 0, completion_tokens: 0, latency_ms: 0 };
  const judge = { calls: criteria, prompt_tokens: 100 * criteria, completion_tokens: 20 * criteria, latency_ms: 500 * criteria };
  return { persona: none, agent: none, judge, total: { ...judge } };
}

/**
 * A test engine that decides verdicts from markers in the case, and finishes exactly one queued
 * simulation each time a session is read. A client polling the session therefore sees every
 * intermediate state, one step per read, however slow the machine: the tests can assert the
 * progress the CLI shows without depending on timing.
 */
export class SteppedEngine extends QueueOnlyEngine {
  private readonly queue: SimulationRecord[] = [];

  constructor(private readonly storage: Storage) {
    super();
    const view = storage.sessions.view.bind(storage.sessions);
    // The read is answered as it was before this step, and the step is done before the answer goes
    // out, so the next read sees it.
    storage.sessions.view = async (...args) => {
      const session = await view(...args);
      await this.advance();
      return session;
    };
  }

  override submit(simulations: SimulationRecord[]): void {
    super.submit(simulations);
    this.queue.push(...simulations);
  }

  private async advance(): Promise<void> {
    const simulation = this.queue.shift();
    if (!simulation) return;
    const at = () => new Date().toISOString();
    await this.storage.simulations.markStarted(simulation.simulation_id, at());
    await this.storage.simulations.appendTimeline(
      simulation.simulation_id,
      [
        {
          sender_type: 'persona',
          type: 'message',
          value: 'Hello, I need help with <order> & "refund".',
          timestamp: '0.000',
          timestamp_datetime: at(),
        },
        { sender_type: 'agent', type: 'message', value: 'Certainly, let me look.', timestamp: '0.010', timestamp_datetime: at() },
      ],
      at(),
    );
    if (simulation.simulation_case_prompt?.includes(ERROR_MARKER)) {
      await this.storage.simulations.finish(
        simulation.simulation_id,
        {
          status: 'failed',
          success_criteria_analysis: null,
          error_info: { code: 424, type: 'agent_error', message: 'The agent under test did not answer.' },
        },
        at(),
      );
      return;
    }
    const criteria = simulation.success_criteria ?? [];
    const evaluations = criteria.map((criterion) => {
      const success = !criterion.includes(FAIL_MARKER);
      return {
        success,
        criterion,
        reasoning: success ? 'The agent did this.' : `The agent never did this: "${criterion}" <not met> & noted.`,
      };
    });
    const success = simulation.call_success_type === 'any' ? evaluations.some((e) => e.success) : evaluations.every((e) => e.success);
    const divergence = simulation.simulation_case_prompt?.includes(REPLAY_MARKER)
      ? { turn: 2, expected: 'Your parcel arrives on Monday.', actual: 'Certainly, let me look.', similarity: 0 }
      : null;
    await this.storage.simulations.finish(
      simulation.simulation_id,
      {
        status: 'completed',
        error_info: null,
        success_criteria_analysis: { success, evaluations },
        usage: judgeUsage(criteria.length),
        divergence,
      },
      at(),
    );
  }
}

export interface TestServer {
  url: string;
  key: string;
  server: RunningServer;
  stop(): Promise<void>;
}

/**
 * A real server on a free loopback port, with a temporary database and the given engine (default: the
 * server's own, with `engineConfig` when given: a test agent on loopback needs `allowPrivateNetworks`).
 */
export async function startTestServer(engine?: EngineFactory, engineConfig?: ServerConfig['engine']): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sims-cli-test-'));
  const server = await startServer(
    {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      rateLimit: { max: 0, windowMs: 60_000 },
      bodyLimit: 1024 * 1024,
      logLevel: 'silent',
      shutdownGraceMs: 5_000,
      ...(engineConfig ? { engine: engineConfig } : {}),
    },
    engine,
  );
  const key = server.firstStart?.key;
  if (!key) throw new Error('the new server made no workspace key');
  return {
    url: server.url,
    key,
    server,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
