import type { SimulationRecord } from '../storage/types.js';
import type { Engine, GenerationPlan, GenerationRequest } from './types.js';
import { planFromTemplates } from './templates.js';

/**
 * The engine of this version of the server: it accepts simulations and keeps them queued
 * (`in-progress`, `started_at: null`) without running them, and writes generated cases from
 * deterministic templates. The conversational engine replaces it behind the same interface.
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

  async planCases(request: GenerationRequest): Promise<GenerationPlan> {
    return planFromTemplates(request);
  }

  async stop(): Promise<void> {}
}
