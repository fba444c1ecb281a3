import type { Client } from 'openapi-fetch';
import type { paths } from '@sims/api-types';
import { cancelSession, cancelSimulation, type CancelOptions } from './cancel.js';
import { generateCases, type GenerateCasesOptions } from './generate.js';
import { paginate, type PageIterator, type PaginateOptions } from './paginate.js';
import { compareSessions, sessionReport, type CompareSessionsOptions, type SessionReportOptions } from './reports.js';
import type {
  ListItem,
  ListPath,
  Simulation,
  SimulationCaseGenerateEvent,
  SimulationCaseGenerateIn,
  SimulationSession,
  SimulationSessionCancel,
  SimulationSessionComparison,
  SimulationSessionReport,
} from './types.js';
import {
  runSuite,
  waitForSession,
  waitForSimulation,
  type RunSuiteOptions,
  type RunSuiteResult,
  type WaitForSessionOptions,
  type WaitForSimulationOptions,
} from './wait.js';

/** The work that takes more than one call, as methods of the client. */
export interface SimulationsHelpers {
  /** Walks any list operation page by page (both paging shapes); `.items()` walks item by item. */
  paginate<Path extends ListPath>(path: Path, options?: PaginateOptions<Path>): PageIterator<ListItem<Path>>;
  /** Polls a simulation until it is `completed` or `failed`. */
  waitForSimulation(simulationId: string, options?: WaitForSimulationOptions): Promise<Simulation>;
  /** Polls a session until no simulation is pending. */
  waitForSession(sessionId: string, options?: WaitForSessionOptions): Promise<SimulationSession>;
  /**
   * Executes a suite and waits for its session; resolves to the final session with its `report` and,
   * when `baseline` is given, its `comparison`.
   */
  runSuite(suiteId: string, options: RunSuiteOptions): Promise<RunSuiteResult>;
  /** Reads a session's report: per case runs, pass rate, flaky mark, durations, turns and criteria. */
  sessionReport(sessionId: string, options?: SessionReportOptions): Promise<SimulationSessionReport>;
  /** Compares a finished session with a baseline (`last` by default, or a session id), case by case. */
  compareSessions(sessionId: string, options?: CompareSessionsOptions): Promise<SimulationSessionComparison>;
  /**
   * Cancels one simulation still in progress; resolves to it as cancelled (`failed`, error type
   * `cancelled`). A `409` for one already finished is recognised by `isAlreadyFinished`.
   */
  cancelSimulation(simulationId: string, options?: CancelOptions): Promise<Simulation>;
  /**
   * Cancels every simulation of a session still in progress; resolves to how many were cancelled and
   * the counters after. A `409` when nothing was in progress is recognised by `isAlreadyFinished`.
   */
  cancelSession(sessionId: string, options?: CancelOptions): Promise<SimulationSessionCancel>;
  /** Generates cases, yielding the NDJSON stream's typed events as they arrive. */
  generateCases(body: SimulationCaseGenerateIn, options?: GenerateCasesOptions): AsyncGenerator<SimulationCaseGenerateEvent>;
}

export function createHelpers(client: Client<paths>): SimulationsHelpers {
  return {
    paginate: (path, options) => paginate(client, path, options),
    waitForSimulation: (simulationId, options) => waitForSimulation(client, simulationId, options),
    waitForSession: (sessionId, options) => waitForSession(client, sessionId, options),
    runSuite: (suiteId, options) => runSuite(client, suiteId, options),
    sessionReport: (sessionId, options) => sessionReport(client, sessionId, options),
    compareSessions: (sessionId, options) => compareSessions(client, sessionId, options),
    cancelSimulation: (simulationId, options) => cancelSimulation(client, simulationId, options),
    cancelSession: (sessionId, options) => cancelSession(client, sessionId, options),
    generateCases: (body, options) => generateCases(client, body, options),
  };
}
