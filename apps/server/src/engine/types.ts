import type { components } from '@sims/api-types';
import type { StoredConnector, AgentRecord, ScenarioRecord, SimulationRecord } from '../storage/types.js';

type Schemas = components['schemas'];
type TestCategory = Schemas['SimulationCaseTestCategory'];

/** A case the generator proposes; the server saves it and streams it to the client. */
export interface CaseDraft {
  category: TestCategory;
  scenario_id: string | null;
  name: string;
  prompt: string;
  success_criteria: string[];
  call_success_type: Schemas['CallSuccessType'];
  checks: Schemas['CaseCheck'][];
  caller_turns: string[];
}

export interface GenerationRequest {
  workspace_id: string;
  agent: AgentRecord;
  categories: TestCategory[];
  scenarios: ScenarioRecord[];
  /** Locale of the suite the cases go to (`en-US` without one). */
  language: string;
  signal: AbortSignal;
}

export interface GenerationPlan {
  /** Cases planned in all, for progress lines. */
  total: number;
  drafts: AsyncIterable<CaseDraft>;
}

/**
 * What the HTTP layer needs from the simulation engine. The server creates simulations (and their
 * sessions) in storage, `in-progress` and queued (`started_at: null`), then `submit`s them; the
 * engine runs them and records progress through the storage's engine-facing methods
 * (`simulations.markStarted`, `appendTimeline`, `finish`), which keep session counters live.
 */
export interface Engine {
  /** Resumes work left by an earlier process (`storage.simulations.listUnfinished`). */
  start(): Promise<void>;
  submit(simulations: SimulationRecord[]): void;
  planCases(request: GenerationRequest): Promise<GenerationPlan>;
  /**
   * Whether the engine could reach an agent through this connector (the outbound URL guard):
   * `undefined` when it can, else the field (JSON pointer in the request body) and why not.
   */
  checkConnector(connector: StoredConnector): { field: string; message: string } | undefined;
  /**
   * Success criteria for a recorded call (`importSimulationCase` without criteria), drafted by the
   * operator's generator model: `undefined` when the server has none. Throws when the model fails.
   */
  draftCriteria(transcript: string, signal: AbortSignal): Promise<string[] | undefined>;
  /**
   * Stops the runs of this process among these, cancelled in storage just before (issue 13): each
   * conversation is aborted at once and records nothing more. Runs on other processes notice by
   * themselves (see `SimulationRunner`); queued ones can no longer start.
   */
  cancel(simulationIds: string[]): void;
  /** Stops taking work and settles what is running; called on graceful shutdown. */
  stop(): Promise<void>;
}
