import { ApiError } from '../http/errors.js';
import type { Handlers } from '../http/types.js';
import { type Deps, found, now, ok } from './common.js';

type CancelHandlers = Pick<Handlers, 'cancelSimulation' | 'cancelSimulationSession'>;

/**
 * Cancelling runs and sessions (issue 13; spec/README.md "Cancelling"). Storage records the cancel
 * first, in one transaction, so that it holds whatever the run does next (its start, events and result
 * are refused); then the engine stops the conversations this process has going on, and workers on
 * other nodes stop theirs when they see the cancel in storage. No idempotency key: a second cancel
 * answers 409 and changes nothing.
 */
export function cancelHandlers(deps: Deps): CancelHandlers {
  const { storage, engine } = deps;

  return {
    async cancelSimulation({ workspace_id, params }) {
      const id = params.simulation_id;
      if (!(await storage.simulations.cancel(workspace_id, id, now()))) {
        const simulation = found(await storage.simulations.get(workspace_id, id), 'Simulation', id);
        throw new ApiError('conflict', `Simulation ${id} has already finished (${simulation.status}): there is nothing to cancel.`);
      }
      engine.cancel([id]);
      return ok(found(await storage.simulations.get(workspace_id, id), 'Simulation', id));
    },

    async cancelSimulationSession({ workspace_id, params }) {
      const id = params.simulation_session_id;
      const at = now();
      const cancelled = found(await storage.sessions.cancel(workspace_id, id, at), 'Simulation session', id);
      if (!cancelled.length) {
        throw new ApiError('conflict', `Simulation session ${id} has no simulation in progress: there is nothing to cancel.`);
      }
      engine.cancel(cancelled);
      const [session, counters] = await Promise.all([
        storage.sessions.get(workspace_id, id),
        storage.sessions.counters(workspace_id, [id]),
      ]);
      return ok({
        simulation_session_id: id,
        cancelled_simulations: cancelled.length,
        // The first cancel's time when the session was cancelled before (runs added to it since).
        cancelled_at: session?.cancelled_at ?? at,
        ...counters.get(id)!,
      });
    },
  };
}
