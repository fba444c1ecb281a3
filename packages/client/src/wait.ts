import type { Client } from 'openapi-fetch';
import type { paths } from '@sims/api-types';
import { cancelSession } from './cancel.js';
import { SimulationsApiError, unwrap } from './errors.js';
import { randomId } from './ids.js';
import { compareSessions, isNoBaseline, sessionReport, type Baseline } from './reports.js';
import { sleep, withDeadline } from './signals.js';
import type {
  Simulation,
  SimulationSession,
  SimulationSessionCancel,
  SimulationSessionComparison,
  SimulationSessionReport,
  SimulationSuiteExecution,
} from './types.js';

export interface WaitOptions {
  /** Pause between two reads. Default 2 s. */
  intervalMs?: number;
  /** Give up with a `TimeoutError` (a `DOMException`) after this long. Default 15 min; `Infinity` for never. */
  timeoutMs?: number;
  /** Stops waiting (and the request in flight) with the signal's reason. */
  signal?: AbortSignal;
}

export interface WaitForSimulationOptions extends WaitOptions {
  /** Called with the simulation on the first read and whenever its status or timeline changes. */
  onProgress?: (simulation: Simulation) => void;
}

/** The counters of a session as they change. */
export interface SessionProgress {
  total: number;
  completed: number;
  failed: number;
  pending: number;
  session: SimulationSession;
}

export interface WaitForSessionOptions extends WaitOptions {
  /** Called on the first read and whenever a counter changes. */
  onProgress?: (progress: SessionProgress) => void;
}

export interface RunSuiteOptions extends WaitForSessionOptions {
  /** The agent to run the suite on; it must be the suite's own agent (`model_id`). */
  targetAgentId: string;
  /** Turn limit of each simulation, 10–50; the server's default (20) when omitted. */
  maxTurns?: number;
  /** How many times each case runs, 1–20; the server's default (1) when omitted. */
  iterations?: number;
  /**
   * Also compare the finished session with this baseline: `last` (the suite's latest finished session
   * before this one) or a session id. No comparison when omitted.
   */
  baseline?: Baseline;
  /**
   * Sent as `Idempotency-Key`, which makes the execute call safe to retry: a repeat answers the same
   * session instead of starting another. A random key is made when omitted.
   */
  idempotencyKey?: string;
  /** Called once the suite has started, with the new session's id. */
  onStarted?: (execution: SimulationSuiteExecution) => void;
  /**
   * When `signal` aborts while the session runs, cancel it on the server (`cancelSession`) before
   * rejecting. Default `true`; `false` leaves the session running. A `timeoutMs` running out does not
   * cancel: pass a signal (`AbortSignal.timeout(ms)`) for a deadline that does.
   */
  cancelOnAbort?: boolean;
  /** How long the cancel request may take before `runSuite` rejects without its answer. Default 5 s. */
  cancelTimeoutMs?: number;
  /** Called with what the cancel on abort did, before `runSuite` rejects. */
  onCancel?: (outcome: RunSuiteCancel) => void;
}

/**
 * What `runSuite`'s cancel on abort did: the server's answer, or why there is none — a
 * `SimulationsApiError` (`isAlreadyFinished` for a session that had just finished), a `TimeoutError`
 * after `cancelTimeoutMs`, a network error.
 */
export type RunSuiteCancel = { sessionId: string } & ({ cancelled: SimulationSessionCancel } | { error: unknown });

/**
 * What `runSuite` resolves to: the final session as `waitForSession` returns it, with its report and,
 * when a baseline was asked for, the comparison.
 */
export type RunSuiteResult = SimulationSession & {
  /** The session's report; `null` from a server that does not offer reports (the public reference API answers `404`). */
  report: SimulationSessionReport | null;
  /** The comparison with `baseline`; `null` when none was asked for, or for `last` when the suite has no earlier finished session. */
  comparison: SimulationSessionComparison | null;
};

export const WAIT_DEFAULTS = { intervalMs: 2_000, timeoutMs: 15 * 60_000, cancelTimeoutMs: 5_000 } as const;

type Api = Client<paths>;

/** Reads until `done`, reporting each value whose `key` differs from the previous one. */
async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  key: (value: T) => string,
  report: ((value: T) => void) | undefined,
  intervalMs: number,
  signal: AbortSignal,
): Promise<T> {
  let lastKey: string | undefined;
  for (;;) {
    const value = await read();
    const valueKey = key(value);
    if (valueKey !== lastKey) {
      lastKey = valueKey;
      report?.(value);
    }
    if (done(value)) return value;
    await sleep(intervalMs, signal);
  }
}

/** Polls a simulation until it is `completed` or `failed`, and returns it. A failed run is a result, not an error. */
export async function waitForSimulation(client: Api, simulationId: string, options: WaitForSimulationOptions = {}): Promise<Simulation> {
  const { intervalMs = WAIT_DEFAULTS.intervalMs, timeoutMs = WAIT_DEFAULTS.timeoutMs, onProgress } = options;
  let status = 'unknown';
  return withDeadline(
    timeoutMs,
    options.signal,
    () => `simulation ${simulationId} was still ${status} after ${timeoutMs} ms`,
    (signal) =>
      poll(
        async () => {
          const simulation = await unwrap(
            client.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: simulationId } }, signal }),
          );
          status = simulation.status;
          return simulation;
        },
        (simulation) => simulation.status !== 'in-progress',
        (simulation) => `${simulation.status}:${simulation.timeline?.length ?? 0}`,
        onProgress,
        intervalMs,
        signal,
      ),
  );
}

function progressOf(session: SimulationSession): SessionProgress {
  return {
    total: session.total_simulations,
    completed: session.completed_simulations,
    failed: session.failed_simulations,
    pending: session.pending_simulations,
    session,
  };
}

function pollSession(
  client: Api,
  sessionId: string,
  signal: AbortSignal,
  intervalMs: number,
  onProgress?: (progress: SessionProgress) => void,
) {
  return poll(
    () =>
      unwrap(
        client.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: sessionId } }, signal }),
      ),
    (session) => session.pending_simulations === 0,
    (s) => `${s.total_simulations}/${s.completed_simulations}/${s.failed_simulations}/${s.pending_simulations}`,
    onProgress && ((session) => onProgress(progressOf(session))),
    intervalMs,
    signal,
  );
}

/** Polls a session until no simulation is pending, and returns it with every simulation's result. */
export function waitForSession(client: Api, sessionId: string, options: WaitForSessionOptions = {}): Promise<SimulationSession> {
  const { intervalMs = WAIT_DEFAULTS.intervalMs, timeoutMs = WAIT_DEFAULTS.timeoutMs, onProgress } = options;
  return withDeadline(
    timeoutMs,
    options.signal,
    () => `session ${sessionId} still had pending simulations after ${timeoutMs} ms`,
    (signal) => pollSession(client, sessionId, signal, intervalMs, onProgress),
  );
}

/**
 * The report of a session just read: a `404` here can only mean the server has no report
 * operation (the session itself answered), so the result is `null` rather than an error.
 */
async function reportIfOffered(client: Api, sessionId: string, signal: AbortSignal): Promise<SimulationSessionReport | null> {
  try {
    return await sessionReport(client, sessionId, { signal });
  } catch (error) {
    if (error instanceof SimulationsApiError && error.status === 404) return null;
    throw error;
  }
}

/** The comparison with `baseline`; `null` for `last` when there is no earlier finished session (a suite's first run). */
async function comparisonIfAny(client: Api, sessionId: string, baseline: Baseline, signal: AbortSignal) {
  try {
    return await compareSessions(client, sessionId, { baseline, signal });
  } catch (error) {
    if (baseline === 'last' && isNoBaseline(error)) return null;
    throw error;
  }
}

/**
 * Cancels the session `runSuite` started, once, with a deadline of its own (the caller's signal has
 * already aborted), and reports the outcome: a failed cancel is reported, not thrown, so that the
 * abort's reason stays what `runSuite` rejects with.
 */
async function cancelAfterAbort(client: Api, sessionId: string, timeoutMs: number, onCancel?: (outcome: RunSuiteCancel) => void) {
  let outcome: RunSuiteCancel;
  try {
    const cancelled = await withDeadline(
      timeoutMs,
      undefined,
      () => `the cancel of session ${sessionId} got no answer within ${timeoutMs} ms`,
      (signal) => cancelSession(client, sessionId, { signal }),
    );
    outcome = { sessionId, cancelled };
  } catch (error) {
    outcome = { sessionId, error };
  }
  onCancel?.(outcome);
}

/**
 * Executes a suite and waits for its session to finish: resolves to the final session, with every
 * simulation's status, transcript and verdicts, then its `report` and, with `baseline`, its
 * `comparison`. `timeoutMs` covers every step. When `signal` aborts while the session runs, the
 * session is cancelled (unless `cancelOnAbort` is `false`) and `runSuite` rejects with the signal's
 * reason; an abort before the execute call answered has no session to cancel.
 */
export async function runSuite(client: Api, suiteId: string, options: RunSuiteOptions): Promise<RunSuiteResult> {
  const { intervalMs = WAIT_DEFAULTS.intervalMs, timeoutMs = WAIT_DEFAULTS.timeoutMs, onProgress, onStarted, baseline } = options;
  let sessionId: string | undefined;
  let running = false;
  try {
    return await withDeadline(
      timeoutMs,
      options.signal,
      () => `suite ${suiteId} ${sessionId ? `(session ${sessionId}) ` : ''}did not finish within ${timeoutMs} ms`,
      async (signal) => {
        const execution = await unwrap(
          client.POST('/simulation_suites/{suite_id}/execute', {
            params: {
              path: { suite_id: suiteId },
              query: { target_agent_id: options.targetAgentId, max_turns: options.maxTurns, iterations: options.iterations },
              header: { 'Idempotency-Key': options.idempotencyKey ?? randomId() },
            },
            signal,
          }),
        );
        sessionId = execution.session_id;
        running = true;
        onStarted?.(execution);
        const session = await pollSession(client, execution.session_id, signal, intervalMs, onProgress);
        running = false;
        const [report, comparison] = await Promise.all([
          reportIfOffered(client, execution.session_id, signal),
          baseline === undefined ? null : comparisonIfAny(client, execution.session_id, baseline, signal),
        ]);
        return { ...session, report, comparison };
      },
    );
  } catch (error) {
    if (running && sessionId !== undefined && options.signal?.aborted && options.cancelOnAbort !== false) {
      await cancelAfterAbort(client, sessionId, options.cancelTimeoutMs ?? WAIT_DEFAULTS.cancelTimeoutMs, options.onCancel);
    }
    throw error;
  }
}
