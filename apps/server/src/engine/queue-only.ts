import type { StoredConnector, SimulationRecord } from '../storage/types.js';
import { checkConnectorUrl } from './connectors.js';
import type { Engine, GenerationPlan, GenerationRequest } from './types.js';
import { planCases } from './plan-cases.js';

/**
 * An engine that accepts simulations and keeps them queued
 * (`in-progress`, `started_at: null`) without running them, and writes generated cases from
 * the engine's deterministic templates. The server's default is `SimulationEngine`; this one serves
 * tests that need runs to stay queued, and operators who want to record runs without running them.
 */
export class QueueOnlyEngine implements Engine {
  private readonly queued: string[] = [];

  async start(): Promise<void> {}

  submit(simulations: SimulationRecord[]): void {
    this.queued.push(...simulations.map((s) => s.simulation_id));
  }

  /** Ids submitted to this process, in order (for tests and diagnostics). */
  get submitted(): readonly string[] {
    return this.queued;
  }

  /** Nothing runs here: a cancelled run only stays as storage recorded it. */
  cancel(): void {}

  planCases(request: GenerationRequest): Promise<GenerationPlan> {
    return planCases(request);
  }

  /** Records runs without running anything: no model drafts criteria here. */
  async draftCriteria(_transcript: string, _signal: AbortSignal): Promise<string[] | undefined> {
    return undefined;
  }

  checkConnector(connector: StoredConnector) {
    return checkConnectorUrl(connector, { allowPrivateNetworks: false });
  }

  async stop(): Promise<void> {}
}
