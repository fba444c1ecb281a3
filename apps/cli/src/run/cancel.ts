import { isAlreadyFinished, type RunSuiteCancel, type SimulationSessionCancel } from '@sims/client';
import { describeError } from '../errors.js';

/** What a session cancel did, in one line: how many runs it stopped and the counters after. */
export function cancelledLine(answer: SimulationSessionCancel): string {
  const runs = `${answer.cancelled_simulations} simulation${answer.cancelled_simulations === 1 ? '' : 's'}`;
  return `cancelled session ${answer.simulation_session_id}: ${runs} stopped; of ${answer.total_simulations}, completed ${answer.completed_simulations}, failed ${answer.failed_simulations} (cancelled included), pending ${answer.pending_simulations}`;
}

/**
 * The line printed on Ctrl-C: what became of the session — cancelled (with the counters after), left
 * running (--keep-running), already finished, or not cancelled because the cancel failed.
 */
export function interruptedLine(sessionId: string | undefined, cancel: RunSuiteCancel | undefined, keepRunning: boolean): string {
  if (sessionId === undefined) {
    return 'interrupted before the server answered the start of the suite: no session to cancel (if it started, find it with sims sessions list)';
  }
  if (keepRunning) {
    return `interrupted: session ${sessionId} keeps running on the server; see it with sims sessions get ${sessionId}, stop it with sims sessions cancel ${sessionId}`;
  }
  // No cancel was sent once the session had finished (the report was being read).
  if (cancel === undefined || ('error' in cancel && isAlreadyFinished(cancel.error))) {
    return `interrupted: session ${sessionId} had already finished, nothing to cancel`;
  }
  if ('cancelled' in cancel) return `interrupted: ${cancelledLine(cancel.cancelled)}`;
  return `interrupted: session ${sessionId} may still be running, its cancel failed (${describeError(cancel.error).replace(/^error: /, '')}); retry with sims sessions cancel ${sessionId}`;
}
