import { runSimulation, type LlmConfig, type TimelineItem } from '@sims/engine';
import { NO_RUN_INPUT, type SimulationRecord, type SimulationUsage, type Storage } from '../storage/types.js';
import { noUsage } from '../storage/usage.js';
import { toEngineConnector } from './connectors.js';
import { agentTurnSigner } from '../webhooks/sign.js';

export interface EngineConfig {
  /** Simulations that run at once (the pool's size; on PostgreSQL, the jobs a worker takes at once). */
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

export const silent: EngineLogger = { warn() {}, info() {} };
const now = () => new Date().toISOString();

/** How a run cut off by a process that stopped (or died) is closed. */
const INTERRUPTED = {
  code: 503,
  type: 'interrupted',
  message: 'The server stopped while this simulation was running, so its conversation was cut off; run the case again.',
} as const;

/**
 * How `run` ended: `finished` (its result is recorded), `not-queued` (it had already started or
 * finished elsewhere, so nothing was run or written), `closed` (it was closed while it ran, cancelled
 * or interrupted by another process: the conversation was stopped and nothing more written), or
 * `unrecorded` (storage failed to take the result; the run is still in progress).
 */
export type RunOutcome = 'finished' | 'not-queued' | 'closed' | 'unrecorded';

export interface RunnerOptions {
  /**
   * How often (ms) the runs going on are checked in storage for having been closed by another
   * process, a cancel through another API node most often; never when undefined (a process that
   * owns its storage hears of every cancel through `cancel`).
   */
  watchMs?: number;
}

/** A run going on in this process. `closed`: closed in storage by someone else; it stops and records nothing more. */
interface Running {
  controller: AbortController;
  closed: boolean;
}

/**
 * Runs simulations and records everything about them through the storage: the one place a run is
 * executed, for the in-process engine (SQLite) and for the queue's workers (PostgreSQL) alike. A run
 * moves `in-progress` + `started_at: null` (queued) → `started_at` set, its timeline appended turn by
 * turn → `completed` with the verdicts or `failed` with `error_info`, `finished_at` set. A run never
 * throws: every failure is recorded on the simulation.
 */
export class SimulationRunner {
  private readonly running = new Map<string, Running>();
  private watcher: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly storage: Storage,
    private readonly config: EngineConfig,
    private readonly log: EngineLogger = silent,
    private readonly options: RunnerOptions = {},
  ) {}

  /** Runs one queued simulation to its result; never throws. */
  async run(simulation: SimulationRecord): Promise<RunOutcome> {
    const id = simulation.simulation_id;
    const run: Running = { controller: new AbortController(), closed: false };
    this.running.set(id, run);
    this.watch();
    const log = this.eventLog(id, run);
    try {
      // A run starts once: a second delivery of its job finds it started (or finished) and runs nothing.
      if (!(await this.storage.simulations.markStarted(id, now()))) return 'not-queued';
      const agent = await this.storage.agents.get(simulation.workspace_id, simulation.target_agent_id);
      if (!agent) {
        // No model was called: the run used nothing.
        await this.fail(
          id,
          424,
          'agent_not_found',
          `The agent ${simulation.target_agent_id} was deleted before the simulation ran.`,
          noUsage(),
        );
        return 'finished';
      }
      const input = (await this.storage.simulations.runInput(id)) ?? NO_RUN_INPUT;
      const result = await runSimulation({
        case: {
          name: simulation.simulation_case_name ?? '',
          prompt: simulation.simulation_case_prompt ?? '',
          success_criteria: simulation.success_criteria ?? [],
          call_success_type: simulation.call_success_type ?? 'all',
          checks: input.checks,
          caller_turns: input.caller_turns,
          tool_mocks: input.tool_mocks,
          expected_agent_turns: input.expected_agent_turns,
        },
        agent: {
          id: agent.id,
          name: agent.name,
          prompt: agent.prompt,
          connector: toEngineConnector(agent.connector, agentTurnSigner(agent)),
        },
        customVariables: simulation.custom_variables ?? null,
        maxTurns: simulation.max_turns,
        timeoutMs: this.config.timeoutMs,
        signal: run.controller.signal,
        llm: {
          ...(this.config.llm.persona ? { persona: this.config.llm.persona } : {}),
          ...(this.config.llm.judge ? { judge: this.config.llm.judge } : {}),
        },
        simulationId: id,
        network: { allowPrivateNetworks: this.config.allowPrivateNetworks },
        onEvent: log.add,
      });
      // Events not sent yet go with the result: one commit where an append and then the result were two.
      const stored = await log.close(false);
      // Cancelled (or closed by another process) meanwhile: its record is final, the result is dropped.
      if (run.closed) return 'closed';
      await this.storage.simulations.finish(
        id,
        {
          status: result.error_info ? 'failed' : 'completed',
          success_criteria_analysis: result.analysis,
          error_info: result.error_info ?? null,
          usage: result.usage,
          divergence: result.divergence ?? null,
          events: result.timeline.slice(stored),
        },
        now(),
      );
      return 'finished';
    } catch (error) {
      await log.close(!run.closed);
      if (run.closed) return 'closed';
      this.log.warn({ err: error, simulation_id: id }, 'simulation runner failed');
      return this.fail(id, 500, 'runner_error', `The runner failed: ${error instanceof Error ? error.message : String(error)}`).then(
        () => 'finished' as const,
        () => 'unrecorded' as const,
      );
    } finally {
      this.running.delete(id);
      if (!this.running.size && this.watcher) {
        clearInterval(this.watcher);
        this.watcher = undefined;
      }
    }
  }

  /**
   * Stops these runs, if they are going on here, closed in storage by someone else (cancelled): each
   * conversation is aborted at once (no further agent turn is asked for) and nothing more of it is
   * stored, its result included. Runs not going on here are left alone.
   */
  cancel(ids: Iterable<string>): void {
    for (const id of ids) {
      const run = this.running.get(id);
      if (!run || run.closed) continue;
      run.closed = true;
      run.controller.abort();
    }
  }

  /** While runs go on and `watchMs` is set, checks them in storage every `watchMs` (see `RunnerOptions`). */
  private watch(): void {
    if (this.options.watchMs === undefined || this.watcher) return;
    this.watcher = setInterval(() => void this.stopClosed(), this.options.watchMs);
    this.watcher.unref();
  }

  /** Stops the runs going on here that storage says are closed; one check at a time. */
  private async stopClosed(): Promise<void> {
    const ids = [...this.running.keys()];
    if (this.checking || !ids.length) return;
    this.checking = true;
    try {
      this.cancel(await this.storage.simulations.closed(ids));
    } catch {
      // Storage did not answer: the next check asks again (and the run's own writes fail meanwhile).
    } finally {
      this.checking = false;
    }
  }

  /** Whether a run's storage says it was closed (an append refused because of that is no failure); false when it cannot tell. */
  private async closedInStorage(id: string): Promise<boolean> {
    return this.storage.simulations.closed([id]).then(
      (closed) => closed.length > 0,
      () => false,
    );
  }

  /**
   * Records a run that a process stopped (or died) in the middle of as `503 interrupted`: its
   * conversation cannot be continued. Changes nothing if the run has finished meanwhile.
   */
  async interrupt(id: string): Promise<boolean> {
    const at = now();
    return this.storage.simulations.finish(
      id,
      {
        status: 'failed',
        success_criteria_analysis: null,
        error_info: { ...INTERRUPTED },
        events: [{ sender_type: 'system', type: 'error', value: INTERRUPTED.message, timestamp: null, timestamp_datetime: at }],
      },
      at,
    );
  }

  /** Aborts every run going on; each is recorded `503 interrupted` as it stops (but those cancelled). */
  abortAll(): void {
    for (const run of this.running.values()) run.controller.abort();
  }

  /**
   * Stores a run's events as they happen, in order, so that a client polling sees the call progress.
   * The first goes at once; later ones gather for a turn of the event loop (an agent's answer and the
   * caller's next line go in one append, one commit), and at most one append of a run is in flight:
   * events that come meanwhile go in the next. After a failed append the rest wait for `finish`, so
   * that the stored timeline is always the runner's, in order, however storage fared during the run.
   * `close` waits for the append in flight, stores what is left unless told not to (when the result
   * follows, which carries them), and answers how many events are stored; the others go with the result.
   * An append refused because the run was closed meanwhile (cancelled) stops the run, silently.
   */
  private eventLog(id: string, run: Running) {
    const events: TimelineItem[] = [];
    let stored = 0;
    let sent = 0;
    let broken = false;
    let closed = false;
    let inFlight: Promise<void> | undefined;
    let scheduled: NodeJS.Immediate | undefined;
    const send = () => {
      if (broken || closed || run.closed || inFlight || sent === events.length) return;
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
          async (error: unknown) => {
            broken = true;
            if (run.closed || (await this.closedInStorage(id))) this.cancel([id]);
            else this.log.warn({ err: error, simulation_id: id }, 'could not store timeline events; the rest are stored with the result');
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
      close: async (storeRest = true) => {
        if (scheduled) clearImmediate(scheduled);
        scheduled = undefined;
        if (storeRest) send();
        else closed = true;
        while (inFlight) await inFlight;
        return stored;
      },
    };
  }

  /** Records a run that failed outside the engine; its usage is null (not known) unless given. */
  private async fail(id: string, code: number, type: string, message: string, usage: SimulationUsage | null = null): Promise<void> {
    await this.storage.simulations.finish(
      id,
      { status: 'failed', success_criteria_analysis: null, error_info: { code, type, message }, usage },
      now(),
    );
  }
}
