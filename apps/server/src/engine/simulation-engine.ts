import { createRunnerPool, PoolClearedError, runSimulation, type LlmConfig, type RunnerPool, type TimelineItem } from '@sims/engine';
import type { SimulationRecord, Storage, StoredConnector } from '../storage/types.js';
import { checkConnectorUrl, toEngineConnector } from './connectors.js';
import { planCases } from './plan-cases.js';
import type { Engine, GenerationPlan, GenerationRequest } from './types.js';

export interface EngineConfig {
  /** Simulations that run at once (the pool's size). */
  concurrency: number;
  /** Per-simulation time-out of the whole conversation, in milliseconds (`408 timeout`). */
  timeoutMs: number;
  /** Whether `http`/`openai` agents may be on loopback and private addresses. */
  allowPrivateNetworks: boolean;
  /** OpenAI-compatible models for the caller, the judge and generation; offline parts when absent. */
  llm: { persona?: LlmConfig; judge?: LlmConfig; generator?: LlmConfig };
}

export interface EngineLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

const silent: EngineLogger = { warn() {}, info() {} };
const now = () => new Date().toISOString();

/** How a run left behind by a stopped process is closed at the next start. */
const INTERRUPTED = {
  code: 503,
  type: 'interrupted',
  message: 'The server stopped while this simulation was running, so its conversation was cut off; run the case again.',
} as const;

/**
 * The simulation engine of the server: simulations run in-process on a bounded pool. Each run moves
 * `in-progress` + `started_at: null` (queued) → `started_at` set, its timeline appended turn by turn
 * → `completed` with the verdicts or `failed` with `error_info`, `finished_at` set. A run never
 * throws into the pool: every failure is recorded on the simulation.
 *
 * Crash safety: on `start`, simulations that were queued are queued again (they never started), and
 * simulations that had started are failed with `503 interrupted` (their conversation cannot be
 * continued). On `stop`, queued ones stay queued for the next start and running ones are aborted
 * and recorded as `503 interrupted`.
 */
export class SimulationEngine implements Engine {
  private readonly pool: RunnerPool;
  private readonly running = new Map<string, AbortController>();
  private readonly jobs = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly storage: Storage,
    private readonly config: EngineConfig,
    private readonly log: EngineLogger = silent,
  ) {
    this.pool = createRunnerPool({ concurrency: Math.max(1, config.concurrency) });
  }

  async start(): Promise<void> {
    const unfinished = await this.storage.simulations.listUnfinished(Number.MAX_SAFE_INTEGER);
    const queued: SimulationRecord[] = [];
    let interrupted = 0;
    for (const simulation of unfinished) {
      if (simulation.started_at === null) {
        queued.push(simulation);
        continue;
      }
      const at = now();
      await this.storage.simulations.finish(
        simulation.simulation_id,
        {
          status: 'failed',
          success_criteria_analysis: null,
          error_info: { ...INTERRUPTED },
          events: [{ sender_type: 'system', type: 'error', value: INTERRUPTED.message, timestamp: null, timestamp_datetime: at }],
        },
        at,
      );
      interrupted += 1;
    }
    if (queued.length || interrupted)
      this.log.info(
        { resumed: queued.length, interrupted },
        'simulations left by the last process: queued ones resumed, running ones failed as interrupted',
      );
    this.submit(queued);
  }

  submit(simulations: SimulationRecord[]): void {
    for (const simulation of simulations) {
      if (this.stopping) return;
      const job = this.pool
        .run(() => this.execute(simulation))
        .catch((error: unknown) => {
          // Dropped by `stop` before it started: it stays queued and is resumed at the next start.
          if (!(error instanceof PoolClearedError))
            this.log.warn({ err: error, simulation_id: simulation.simulation_id }, 'simulation job failed');
        });
      this.jobs.add(job);
      void job.finally(() => this.jobs.delete(job));
    }
  }

  /** Runs one simulation and records everything; never throws. */
  private async execute(simulation: SimulationRecord): Promise<void> {
    if (this.stopping) return;
    const id = simulation.simulation_id;
    const controller = new AbortController();
    this.running.set(id, controller);
    const log = this.eventLog(id);
    try {
      await this.storage.simulations.markStarted(id, now());
      const agent = await this.storage.agents.get(simulation.workspace_id, simulation.target_agent_id);
      if (!agent) {
        await this.fail(id, 424, 'agent_not_found', `The agent ${simulation.target_agent_id} was deleted before the simulation ran.`);
        return;
      }
      const input = (await this.storage.simulations.runInput(id)) ?? { checks: [], caller_turns: [] };
      const result = await runSimulation({
        case: {
          name: simulation.simulation_case_name ?? '',
          prompt: simulation.simulation_case_prompt ?? '',
          success_criteria: simulation.success_criteria ?? [],
          call_success_type: simulation.call_success_type ?? 'all',
          checks: input.checks,
          caller_turns: input.caller_turns,
        },
        agent: { id: agent.id, name: agent.name, prompt: agent.prompt, connector: toEngineConnector(agent.connector) },
        customVariables: simulation.custom_variables ?? null,
        maxTurns: simulation.max_turns,
        timeoutMs: this.config.timeoutMs,
        signal: controller.signal,
        llm: {
          ...(this.config.llm.persona ? { persona: this.config.llm.persona } : {}),
          ...(this.config.llm.judge ? { judge: this.config.llm.judge } : {}),
        },
        simulationId: id,
        network: { allowPrivateNetworks: this.config.allowPrivateNetworks },
        onEvent: log.add,
      });
      const stored = await log.close();
      await this.storage.simulations.finish(
        id,
        {
          status: result.error_info ? 'failed' : 'completed',
          success_criteria_analysis: result.analysis,
          error_info: result.error_info ?? null,
          events: result.timeline.slice(stored),
        },
        now(),
      );
    } catch (error) {
      await log.close();
      this.log.warn({ err: error, simulation_id: id }, 'simulation runner failed');
      await this.fail(id, 500, 'runner_error', `The runner failed: ${error instanceof Error ? error.message : String(error)}`).catch(
        () => {},
      );
    } finally {
      this.running.delete(id);
    }
  }

  /**
   * Stores a run's events as they happen, in order, so that a client polling sees the call progress.
   * The first goes at once; later ones gather for a turn of the event loop (an agent's answer and the
   * caller's next line go in one append, one commit), and at most one append of a run is in flight:
   * events that come meanwhile go in the next. After a failed append the rest wait for `finish`, so
   * that the stored timeline is always the runner's, in order, however storage fared during the run.
   * `close` stores what is left and answers how many events are stored; the others go with the result.
   */
  private eventLog(id: string) {
    const events: TimelineItem[] = [];
    let stored = 0;
    let sent = 0;
    let broken = false;
    let inFlight: Promise<void> | undefined;
    let scheduled: NodeJS.Immediate | undefined;
    const send = () => {
      if (broken || inFlight || sent === events.length) return;
      const items = events.slice(sent);
      sent = events.length;
      // A storage that throws rather than rejects is failed the same way.
      inFlight = new Promise<void>((resolve) =>
        resolve(this.storage.simulations.appendTimeline(id, items, items.at(-1)!.timestamp_datetime)),
      )
        .then(
          () => {
            stored += items.length;
          },
          (error: unknown) => {
            broken = true;
            this.log.warn({ err: error, simulation_id: id }, 'could not store timeline events; the rest are stored with the result');
          },
        )
        .finally(() => {
          inFlight = undefined;
          send();
        });
    };
    return {
      add: (item: TimelineItem) => {
        events.push(item);
        if (sent === 0) send();
        else
          scheduled ??= setImmediate(() => {
            scheduled = undefined;
            send();
          });
      },
      close: async () => {
        if (scheduled) clearImmediate(scheduled);
        scheduled = undefined;
        send();
        while (inFlight) await inFlight;
        return stored;
      },
    };
  }

  private async fail(id: string, code: number, type: string, message: string): Promise<void> {
    await this.storage.simulations.finish(
      id,
      { status: 'failed', success_criteria_analysis: null, error_info: { code, type, message } },
      now(),
    );
  }

  planCases(request: GenerationRequest): Promise<GenerationPlan> {
    return planCases(request, this.config.llm.generator);
  }

  checkConnector(connector: StoredConnector) {
    return checkConnectorUrl(connector, { allowPrivateNetworks: this.config.allowPrivateNetworks });
  }

  /** Simulations running right now and waiting in the pool (for diagnostics and tests). */
  get load() {
    return { running: this.pool.activeCount, queued: this.pool.pendingCount };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.pool.clearQueue();
    for (const controller of this.running.values()) controller.abort();
    await Promise.allSettled([...this.jobs]);
  }
}
