import type { Client } from 'openapi-fetch';
import type { paths } from '@sims/api-types';
import { SimulationsApiError, unwrap } from './errors.js';
import type { Simulation, SimulationSessionCancel } from './types.js';

type Api = Client<paths>;

export interface CancelOptions {
  /** Stops the request with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The `409` answers of the cancel helpers. A `409` alone does not say "already finished" (a
 * comparison answers it while a session still runs, an execute for a reused idempotency key), so
 * the helpers mark their own.
 */
const finishedConflicts = new WeakSet<SimulationsApiError>();

async function markingFinished<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof SimulationsApiError && error.status === 409) finishedConflicts.add(error);
    throw error;
  }
}

/**
 * Cancels one simulation: a queued one never starts, a running one stops; either is recorded as
 * `failed` with `error_info` `{ code: 499, type: "cancelled" }`. Resolves to the simulation as
 * cancelled. Rejects with a `SimulationsApiError`: `404` for an unknown simulation, `409` when it had
 * already finished (see `isAlreadyFinished`).
 */
export function cancelSimulation(client: Api, simulationId: string, options: CancelOptions = {}): Promise<Simulation> {
  return markingFinished(
    unwrap(
      client.POST('/simulations/{simulation_id}/cancel', { params: { path: { simulation_id: simulationId } }, signal: options.signal }),
    ),
  );
}

/**
 * Cancels every simulation of a session still in progress and marks the session cancelled. Resolves
 * to how many were cancelled and the session's counters after. Rejects with a `SimulationsApiError`:
 * `404` for an unknown session, `409` when nothing of it was in progress (see `isAlreadyFinished`).
 */
export function cancelSession(client: Api, sessionId: string, options: CancelOptions = {}): Promise<SimulationSessionCancel> {
  return markingFinished(
    unwrap(
      client.POST('/simulations/session/{simulation_session_id}/cancel', {
        params: { path: { simulation_session_id: sessionId } },
        signal: options.signal,
      }),
    ),
  );
}

/**
 * True for the `409` of `cancelSimulation` or `cancelSession`: the simulation had already finished,
 * or nothing of the session was in progress, and the cancel changed nothing. False for any other
 * error, including a `409` of another call.
 */
export function isAlreadyFinished(error: unknown): error is SimulationsApiError {
  return error instanceof SimulationsApiError && finishedConflicts.has(error);
}
