import type { Client } from 'openapi-fetch';
import type { paths } from '@sims/api-types';
import { SimulationsApiError, unwrap } from './errors.js';
import type { SimulationSessionComparison, SimulationSessionReport } from './types.js';

type Api = Client<paths>;

export interface SessionReportOptions {
  /** Stops the request with the signal's reason. */
  signal?: AbortSignal;
}

/** The session to compare with: `last`, the latest finished session of the same suite, or a session id. */
export type Baseline = 'last' | (string & {});

export interface CompareSessionsOptions {
  /** The baseline session; `last` (the server's default) when omitted. */
  baseline?: Baseline;
  /** Stops the request with the signal's reason. */
  signal?: AbortSignal;
}

/** Reads a session's report: each case's runs, pass rate, flaky mark, durations, turns and criteria. */
export function sessionReport(client: Api, sessionId: string, options: SessionReportOptions = {}): Promise<SimulationSessionReport> {
  return unwrap(
    client.GET('/simulations/session/{simulation_session_id}/report', {
      params: { path: { simulation_session_id: sessionId } },
      signal: options.signal,
    }),
  );
}

/**
 * Compares a finished session with a baseline, case by case, with a verdict. Rejects with a
 * `SimulationsApiError` like every helper: `409` while either session still runs, `404` for an
 * unknown session or baseline (see `isNoBaseline`), `422` for a baseline of another suite.
 */
export function compareSessions(
  client: Api,
  sessionId: string,
  options: CompareSessionsOptions = {},
): Promise<SimulationSessionComparison> {
  return unwrap(
    client.GET('/simulations/session/{simulation_session_id}/comparison', {
      params: { path: { simulation_session_id: sessionId }, query: { baseline: options.baseline } },
      signal: options.signal,
    }),
  );
}

/**
 * True for the `404` that names the `baseline` parameter: no baseline session was found. For
 * `baseline=last` that is a suite's first finished run, not a failure; for an unknown session
 * (the head), the error names no baseline and this is false.
 */
export function isNoBaseline(error: unknown): error is SimulationsApiError {
  return error instanceof SimulationsApiError && error.status === 404 && error.details.some((d) => d.field === 'baseline');
}
