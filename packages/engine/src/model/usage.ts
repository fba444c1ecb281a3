import type { ModelUsage, SimulationUsage } from '../types.js';

/** Receives the usage of each model call as it ends (successful or not). */
export type UsageSink = (usage: ModelUsage) => void;

/** The roles of a simulation whose model usage is counted. */
export type UsageRole = Exclude<keyof SimulationUsage, 'total'>;

export function zeroUsage(): ModelUsage {
  return { calls: 0, prompt_tokens: 0, completion_tokens: 0, latency_ms: 0 };
}

export function addUsage(into: ModelUsage, usage: ModelUsage): void {
  into.calls += usage.calls;
  into.prompt_tokens += usage.prompt_tokens;
  into.completion_tokens += usage.completion_tokens;
  into.latency_ms += usage.latency_ms;
}

export interface UsageMeter {
  /** The sink that counts a role's calls. */
  sink(role: UsageRole): UsageSink;
  /** Usage so far per role, with `total` their sum (a copy). */
  read(): SimulationUsage;
}

/** Counts one simulation's model usage per role. */
export function createUsageMeter(): UsageMeter {
  const roles: Record<UsageRole, ModelUsage> = { persona: zeroUsage(), agent: zeroUsage(), judge: zeroUsage() };
  return {
    sink: (role) => (usage) => addUsage(roles[role], usage),
    read() {
      const total = zeroUsage();
      for (const usage of Object.values(roles)) addUsage(total, usage);
      return { persona: { ...roles.persona }, agent: { ...roles.agent }, judge: { ...roles.judge }, total };
    },
  };
}
