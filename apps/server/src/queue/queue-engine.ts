import { hash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import { draftSuccessCriteria } from '@sims/engine';
import { checkConnectorUrl } from '../engine/connectors.js';
import { planCases } from '../engine/plan-cases.js';
import { type EngineConfig, type EngineLogger, SimulationRunner, silent } from '../engine/runner.js';
import type { Engine, GenerationPlan, GenerationRequest } from '../engine/types.js';
import type { PostgresStorage } from '../storage/postgres/index.js';
import type { SimulationRecord, StoredConnector } from '../storage/types.js';
import type { QueueConfig } from './config.js';

/** pg-boss keeps its tables in this schema of the database (its default), beside the server's. */
export const QUEUE_SCHEMA = 'pgboss';
/**
 * How often a worker checks the runs it has going on for a cancel made on another node (issue 13):
 * one query for all of them, through the primary key, so that a cancelled conversation stops within
 * this plus an abort (the spec promises a second). Checked rather than told by LISTEN/NOTIFY: a
 * notification sent while a worker's listening connection is down is lost (so a check would be
 * needed anyway), listening holds a connection of its own outside the pool per worker, and a check
 * also stops a run that another worker closed as interrupted after its job expired, which no cancel
 * would announce. A worker's own cancels (role `all`) stop its runs at once, through `cancel`.
 */
const CANCEL_CHECK_MS = 250;
/** The queue of simulation runs: one job per run, its data the run's ids. */
export const RUN_QUEUE = 'simulation-runs';
/**
 * Deliveries of one job before the queue gives it up. A run needs at most two: the one a worker died
 * in, and the next, which finds the run started and records it `503 interrupted`; the rest cover
 * workers stopped (or storage failing) before they could start it.
 */
const RETRY_LIMIT = 10;

interface RunJob {
  simulation_id: string;
  workspace_id: string;
}

/**
 * A run's job id, the same whoever sends it: the queue inserts a job whose id exists as nothing, so a
 * run has one live job however often it is sent (the API's send and a worker's sweep). Derived from
 * the simulation id (a UUID-shaped digest), as pg-boss ids are UUIDs and simulation ids any text.
 */
const jobIdOf = (simulationId: string) => {
  const hex = hash('sha256', simulationId);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** pg-boss's view of a connection: the storage's pool, or the client of an open transaction. */
const executor = (db: pg.Pool | pg.PoolClient) => ({
  executeSql: (text: string, values?: unknown[]) => db.query(text, values),
});

/**
 * The engine of a server on PostgreSQL: runs go through a job queue in the database (pg-boss 10.4,
 * the last release for Node 20; graphile-worker 0.17 would do as well, and pg-boss was taken for
 * its job-level expiry and retry, which are exactly the "a dead worker's run is delivered again"
 * this needs, and its plain `pg` executor, through which jobs are sent in the storage's own
 * transaction). Every process shares the storage's pool; the queue's tables are in `pgboss`.
 *
 * - **Sending**: the jobs of new runs are inserted in the transaction that creates the runs
 *   (`PostgresStorage.onRunsCreated`): a run the API acknowledged has its job, and one it did not
 *   acknowledge has none. `submit` only wakes this process's own workers.
 * - **Working** (`work: true`, roles `worker` and `all`): `concurrency` jobs at a time, each run by the
 *   same `SimulationRunner` as the in-process engine. A delivery that finds its run finished
 *   acknowledges and does nothing; one that finds it started (its worker died; the job expired)
 *   records `503 interrupted`, as the single-process restart does, rather than running it again: a
 *   conversation with the agent cannot be resumed, and a second one would call the agent twice. A
 *   result is written once (`simulations.finish` changes nothing on a run no longer in progress).
 * - **Recovery** is the queue's: no process takes every unfinished run for its own. A worker starting
 *   sends a job for every unfinished run (one whose job is live is left alone), so runs left by a
 *   server that ran before the queue existed are run or closed too.
 */
export class QueueEngine implements Engine {
  private readonly runner: SimulationRunner;
  private readonly boss: PgBoss;
  private readonly workers: string[] = [];
  private stopping = false;

  constructor(
    private readonly storage: PostgresStorage,
    private readonly config: EngineConfig,
    private readonly queue: QueueConfig & { /** Whether this process runs simulations (roles `worker` and `all`). */ work: boolean },
    private readonly log: EngineLogger = silent,
  ) {
    this.runner = new SimulationRunner(storage, config, log, { watchMs: CANCEL_CHECK_MS });
    this.boss = new PgBoss({
      db: executor(storage.pool),
      schema: QUEUE_SCHEMA,
      // Expired deliveries are failed (and retried) by the maintenance, which the workers do.
      supervise: queue.work,
      maintenanceIntervalSeconds: Math.max(1, Math.round(queue.maintenanceMs / 1000)),
      schedule: false,
    });
    this.boss.on('error', (error) => this.log.warn({ err: error }, 'job queue error'));
  }

  /** A job's expiry, in whole seconds: the simulation time-out plus the margin. */
  private get expireInSeconds(): number {
    return Math.ceil((this.config.timeoutMs + this.queue.expiryMarginMs) / 1000);
  }

  async start(): Promise<void> {
    await this.boss.start();
    await this.boss.createQueue(RUN_QUEUE);
    this.storage.onRunsCreated((client, simulations) => this.send(simulations, client));
    if (!this.queue.work) return;
    await this.sweep();
    for (let i = 0; i < Math.max(1, this.config.concurrency); i += 1) {
      let id: string | undefined;
      id = await this.boss.work<RunJob>(
        RUN_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: Math.max(0.5, this.queue.pollMs / 1000) },
        async ([job]) => {
          try {
            await this.deliver(job!.data);
          } finally {
            // A pg-boss worker waits out the rest of its polling interval after a job, even with more
            // waiting: told, it asks for the next one as soon as this one is done.
            if (id) this.boss.notifyWorker(id);
          }
        },
      );
      this.workers.push(id);
    }
  }

  /** Inserts the runs' jobs (through `db`, the transaction that creates them, when given); a run's live job is left as it is. */
  private async send(simulations: SimulationRecord[], db?: pg.PoolClient): Promise<void> {
    if (!simulations.length) return;
    const jobs = simulations.map((s) => ({
      id: jobIdOf(s.simulation_id),
      name: RUN_QUEUE,
      data: { simulation_id: s.simulation_id, workspace_id: s.workspace_id } satisfies RunJob,
      expireInSeconds: this.expireInSeconds,
      retryLimit: RETRY_LIMIT,
      retryDelay: 1,
    }));
    await this.boss.insert(jobs, db ? { db: executor(db) } : {});
  }

  /** Sends a job for every unfinished run; runs whose job is live keep it (same job id). */
  private async sweep(): Promise<void> {
    const unfinished = await this.storage.simulations.listUnfinished(Number.MAX_SAFE_INTEGER);
    await this.send(unfinished);
    if (unfinished.length) this.log.info({ unfinished: unfinished.length }, 'unfinished runs sent to the queue (a live job is kept)');
  }

  /** One delivery of a run's job. Resolving acknowledges it; throwing has the queue deliver it again. */
  private async deliver({ simulation_id, workspace_id }: RunJob): Promise<void> {
    if (this.stopping) throw new Error('the worker is stopping; the run stays queued for another');
    const simulation = await this.storage.simulations.get(workspace_id, simulation_id);
    if (simulation?.status !== 'in-progress') return;
    // Checked again after the read: `stop` aborts the runs it finds running, and this one would not be among them yet.
    if (this.stopping) throw new Error('the worker is stopping; the run stays queued for another');
    const outcome = simulation.started_at === null ? await this.runner.run(simulation) : 'not-queued';
    if (outcome === 'not-queued') {
      if (await this.runner.interrupt(simulation_id))
        this.log.info({ simulation_id }, 'a run cut off by a worker that stopped was failed as interrupted');
    } else if (outcome === 'unrecorded') {
      throw new Error(`the result of ${simulation_id} could not be stored`);
    }
  }

  /** The jobs were sent with the runs; wakes this process's own workers, which would otherwise wait for their next poll. */
  submit(): void {
    for (const id of this.workers) this.boss.notifyWorker(id);
  }

  /** Stops the runs this process has going on; those on other workers stop at their next check (`CANCEL_CHECK_MS`). */
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

  /**
   * Takes no more jobs, aborts the runs going on (each recorded `503 interrupted`, its job
   * acknowledged, as the in-process engine does) and waits for their deliveries to settle.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.storage.onRunsCreated(undefined);
    this.runner.abortAll();
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: 10_000 });
  }
}
