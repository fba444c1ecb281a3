/**
 * Inputs and outputs of the engine. Every shape the engine exchanges with the Simulations API is
 * derived from the spec's generated types (`@sims/api-types`, types only: nothing of it is loaded at
 * run time), so the compiler checks the engine and the wire agree. Where the engine is stricter than
 * the wire (fields it always fills in, enums the spec leaves as strings) it narrows the spec type
 * rather than restating it; test/types.test-d.ts pins those narrowings to the spec's keys.
 */
import type { components } from '@sims/api-types';

type Schemas = components['schemas'];

/** The wire type with every field present and non-null: what the engine always fills in. */
type Filled<T> = { [K in keyof T]-?: NonNullable<T[K]> };

export type CallSuccessType = Schemas['CallSuccessType'];

/** Which side of the call a message or a check refers to. */
export type Side = Schemas['AgentTurnMessage']['role'];

/** Deterministic checks judged exactly, offline (a case extension): the spec's `CaseCheck`. */
export type Check = Schemas['CaseCheck'];

export type CheckKind = Check['kind'];

/** The case as copied onto a simulation, plus the engine's extensions. */
export interface CaseSnapshot {
  name: string;
  prompt: string;
  success_criteria: Schemas['SuccessCriteria'];
  call_success_type: CallSuccessType;
  checks?: Schemas['CaseChecks'];
  /** Scripted persona messages, played in order by the offline persona. */
  caller_turns?: Schemas['CallerTurns'];
  /** Answers to an `openai` agent's tool calls (see the spec's `ToolMock`). */
  tool_mocks?: Schemas['ToolMocks'];
  /** The agent's lines of a recorded call: each reply is compared with them (see `ReplayDivergence`). */
  expected_agent_turns?: Schemas['ExpectedAgentTurns'];
}

/**
 * The connector as written (`AgentConnectorIn`, secrets included) with the default builtin filled
 * in by the caller. The builtin is taken by name: the engine knows its own builtins and answers an
 * unknown one with `424 unknown_builtin_agent` at run time.
 */
export type AgentConnector =
  | (Omit<Schemas['AgentConnectorBuiltin'], 'builtin'> & { builtin: string })
  | (Schemas['AgentConnectorHttpIn'] & { sign?: SignTurn })
  | OpenAiConnector;

/** An agent behind an OpenAI-compatible endpoint, with the tools its model may call. */
export type OpenAiConnector = Schemas['AgentConnectorOpenaiIn'];

/** A function an `openai` agent's model may call (`AgentTool`). */
export type AgentTool = Schemas['AgentTool'];

/** A case's answer to an `openai` agent's tool call (`ToolMock`). */
export type ToolMock = Schemas['ToolMock'];

/**
 * Headers that sign one agent-turn request, made from its raw body (the server's Standard Webhooks
 * signature): called once per request, so each can carry its own id and timestamp.
 */
export type SignTurn = (body: string) => Record<string, string>;

export interface Agent extends Pick<Schemas['AgentReadOut'], 'id' | 'name' | 'prompt'> {
  connector: AgentConnector;
}

/** An OpenAI-compatible chat-completions endpoint used for the persona, the judge or the generator. */
export interface LlmConfig {
  base_url: string;
  model: string;
  api_key?: string;
  /** Time-out of each request (each retry included) in milliseconds. */
  timeout_ms?: number;
  /** Retries of a request answered 408, 409, 429 or 5xx, or that timed out or lost its connection (default 2). */
  max_retries?: number;
  temperature?: number;
}

export type CustomVariables = Schemas['CustomVariables'];

/**
 * One timeline event: the wire `TimelineItem` with every field set, and the sender and kind the
 * spec documents (as plain strings) narrowed to their values.
 */
export interface TimelineItem extends Filled<Schemas['TimelineItem']> {
  sender_type: 'persona' | 'agent' | 'system';
  /** `tool_result`: a tool mock's answer to the `tool_call` before it; `divergence`: where a replay departed. */
  type: 'message' | 'tool_call' | 'tool_result' | 'end_call' | 'error' | 'divergence';
  /** Seconds since the call started, as a decimal string ("3.250"). */
  timestamp: string;
}

/** The wire evaluation with `criterion` and `verdict` always set; `success` is `true` only for `passed`. */
export type Evaluation = Filled<Schemas['SimulationSuccessCriteriaEvaluation']>;

export type Verdict = Evaluation['verdict'];

type WireAnalysis = Schemas['SimulationSuccessCriteriaAnalysis'];

export interface Analysis extends WireAnalysis {
  evaluations: Evaluation[];
}

type WireErrorInfo = Schemas['SimulationErrorInfo'];

/** The wire `SimulationErrorInfo`, its code narrowed to the ones the engine answers. */
export interface ErrorInfo extends WireErrorInfo {
  /** 408 timeout, 424 agent error, 500 runner error, 503 interrupted. */
  code: 408 | 424 | 500 | 503;
}

export type EndedBy = 'persona' | 'agent' | 'max_turns' | 'timeout' | 'error' | 'interrupted';

/** A tool call of an agent's turn (`AgentTurnToolCall`), its arguments always set (`{}` when none). */
export type ToolCall = Filled<Schemas['AgentTurnToolCall']>;

/** A message of the conversation as connectors and personas see it (the webhook's `AgentTurnMessage`). */
export type ConversationMessage = Schemas['AgentTurnMessage'];

export type TestCategory = Schemas['SimulationCaseTestCategory'];

/**
 * Every test category, in the spec's order. `satisfies` refuses a value outside the spec's enum;
 * the check below refuses a list that misses one.
 */
export const TEST_CATEGORIES = [
  'csat_score',
  'accuracy_of_responses',
  'script_compliance',
  'angry_user',
  'repetitive_phrases',
  'conversational_naturalness',
  'task_completion',
] as const satisfies readonly TestCategory[];

/** A type error here means TEST_CATEGORIES misses a category of the spec (the error names it). */
type Unlisted<Missing extends never> = Missing;
export type UnlistedTestCategory = Unlisted<Exclude<TestCategory, (typeof TEST_CATEGORIES)[number]>>;

/** Model calls, tokens and latency of one role (`ModelUsage`). */
export type ModelUsage = Schemas['ModelUsage'];

/** Model usage per role of one simulation (`SimulationUsage`). */
export type SimulationUsage = Schemas['SimulationUsage'];

/** Where a replayed call first departed from its recording (`ReplayDivergence`). */
export type ReplayDivergence = Schemas['ReplayDivergence'];

export type Scenario = Pick<Schemas['SimulationScenarioReadOut'], 'id' | 'name' | 'description'>;
