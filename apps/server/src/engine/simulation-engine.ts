import { createRunnerPool, draftSuccessCriteria, PoolClearedError, type RunnerPool } from '@sims/engine';
import type { SimulationRecord, Storage, StoredConnector } from '../storage/types.js';
import { checkConnectorUrl } from './connectors.js';
import { planCases } from './plan-cases.js';
import { type EngineConfig, type EngineLogger, SimulationRunner, silent } from './runner.js';
import type { Engine, GenerationPlan, GenerationRequest } from './types.js';

export type { EngineConfig, EngineLogger } from './runner.js';

/**
 * The simulation engine of a server on SQLite (one process per database): simulations run
 * in-process on a bounded pool, each through the `SimulationRunner`.
 *
 * Crash safety: on `start`, simulations that were queued are queued again (they never started), and
 * simulations that had started are failed with `503 interrupted` (their conversation cannot be
 * continued): every unfinished run is this process's, as it is the only one. On `stop`, queued ones
 * stay queued for the next start and running ones are aborted and recorded as `503 interrupted`.
 * On PostgreSQL the run queue (`queue/queue-engine.ts`) does this instead, across processes.
 */
export class SimulationEngine implements Engine {
  private readonly pool: RunnerPool;
  private readonly runner: SimulationRunner;
  private readonly jobs = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    private readonly storage: Storage,
    private readonly config: EngineConfig,
    private readonly log: EngineLogger = silent,
  ) {
    this.pool = createRunnerPool({ concurrency: Math.max(1, config.concurrency) });
    this.runner = new SimulationRunner(storage, config, log);
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
      await this.runner.interrupt(simulation.simulation_id);
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
        .run(async () => {
          if (!this.stopping) await this.runner.run(simulation);
        })
        .catch((error: unknown) => {
          // Dropped by `stop` before it started: it stays queued and is resumed at the next start.
          if (!(error instanceof PoolClearedError))
            this.log.warn({ err: error, simulation_id: simulation.simulation_id }, 'simulation job failed');
        });
      this.jobs.add(job);
      void job.finally(() => this.jobs.delete(job));
    }
  }

  /** Queued ones stay in the pool until their turn, when their start is refused; running ones stop now. */
  cancel(simulationIds: string[]): void {
    this.runner.cancel(simulationIds);
  }

  planCases(request: GenerationRequest): Promise<GenerationPlan> {
    return planCases(request, this.config.llm.generator);
  }

  async draftCriteria(transcript: string, signal: AbortSignal): Promise<string[] | undefined> {
    const llm = this.config.llm.generator;
    return llm ? draftSuccessCriteria(llm, transcript, { signal }) : undefined;
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
    this.runner.abortAll();
    await Promise.allSettled([...this.jobs]);
  }
}
