import { QueueOnlyEngine } from '../../src/engine/queue-only.js';
import type { SimulationRecord, Storage } from '../../src/storage/types.js';

/**
 * A test engine that finishes every submitted simulation at once through the storage's engine-facing
 * methods (start, timeline, verdicts), as a real engine would: enough for clients that wait for runs
 * to end, and a check that those methods keep the API's read models valid.
 */
export class CompletingEngine extends QueueOnlyEngine {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly storage: Storage) {
    super();
  }

  override submit(simulations: SimulationRecord[]): void {
    super.submit(simulations);
    for (const simulation of simulations) {
      const run = this.run(simulation).finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  private async run(simulation: SimulationRecord): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const at = () => new Date().toISOString();
    await this.storage.simulations.markStarted(simulation.simulation_id, at());
    await this.storage.simulations.appendTimeline(simulation.simulation_id, [
      { sender_type: 'persona', type: 'message', value: 'Hello, I would like some help.', timestamp: '0.000', timestamp_datetime: at() },
      { sender_type: 'agent', type: 'message', value: 'Of course, how can I help?', timestamp: '0.010', timestamp_datetime: at() },
      { sender_type: 'persona', type: 'end_call', value: 'Thanks, bye.', timestamp: '0.020', timestamp_datetime: at() },
    ], at());
    const criteria = simulation.success_criteria ?? [];
    await this.storage.simulations.finish(simulation.simulation_id, {
      status: 'completed',
      error_info: null,
      success_criteria_analysis: {
        success: true,
        evaluations: criteria.map((criterion) => ({ success: true, reasoning: 'Test engine: passed.', criterion })),
      },
    }, at());
  }

  override async stop(): Promise<void> {
    await Promise.all(this.running);
  }
}
