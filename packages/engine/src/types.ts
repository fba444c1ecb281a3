/**
 * Inputs and outputs of the engine. Field names are the wire names of the Simulations API
 * (snake_case); the extensions the engine adds (`checks`, `caller_turns`, `connector`, `verdict`)
 * use the same style so they can go into the spec unchanged.
 */

export type CallSuccessType = 'all' | 'any';

/** Which side of the call a check or an event refers to. */
export type Side = 'persona' | 'agent';

/** Deterministic checks judged exactly, offline (a case extension). */
export type Check =
  | {
      /** The transcript (of one side, or both) contains `text`. */
      kind: 'contains';
      text: string;
      side?: Side | 'any';
      case_sensitive?: boolean;
      /** Pass when the text is absent instead. */
      negate?: boolean;
      description?: string;
    }
  | {
      /** A message (of one side, or both) matches `pattern` (validated, see README). */
      kind: 'matches';
      pattern: string;
      flags?: string;
      side?: Side | 'any';
      negate?: boolean;
      description?: string;
    }
  | {
      /** The call was ended by this side (`max_turns`: by the turn limit). */
      kind: 'ended_by';
      side: Side | 'max_turns';
      description?: string;
    }
  | {
      /** The call took at most `max` turns (persona messages). */
      kind: 'turns_at_most';
      max: number;
      description?: string;
    }
  | {
      /** The agent performed this tool call (lookup); `arguments`, when given, must all match. */
      kind: 'tool_called';
      name: string;
      arguments?: Record<string, unknown>;
      description?: string;
    };

export type CheckKind = Check['kind'];

/** The case as copied onto a simulation, plus the engine's extensions. */
export interface CaseSnapshot {
  name: string;
  prompt: string;
  success_criteria: string[];
  call_success_type: CallSuccessType;
  checks?: Check[];
  /** Scripted persona messages, played in order by the offline persona. */
  caller_turns?: string[];
}

export type AgentConnector =
  | { kind: 'builtin'; builtin: string; latency_ms?: number }
  | { kind: 'http'; url: string; headers?: Record<string, string>; timeout_ms?: number }
  | { kind: 'openai'; base_url: string; model: string; api_key?: string; timeout_ms?: number };

export interface Agent {
  id: string;
  name: string;
  prompt: string;
  connector: AgentConnector;
}

/** An OpenAI-compatible chat-completions endpoint used for the persona, the judge or the generator. */
export interface LlmConfig {
  base_url: string;
  model: string;
  api_key?: string;
  timeout_ms?: number;
  temperature?: number;
}

export type CustomVariables = Record<string, unknown>;

/** One timeline event, exactly the wire `TimelineItem`. */
export interface TimelineItem {
  sender_type: 'persona' | 'agent' | 'system';
  value: string;
  type: 'message' | 'tool_call' | 'end_call' | 'error';
  /** Seconds since the call started, as a decimal string ("3.250"). */
  timestamp: string;
  timestamp_datetime: string;
}

export type Verdict = 'passed' | 'failed' | 'not_evaluated';

export interface Evaluation {
  /** `true` only for `verdict: 'passed'`. */
  success: boolean;
  reasoning: string;
  criterion: string;
  verdict: Verdict;
}

export interface Analysis {
  success: boolean;
  evaluations: Evaluation[];
}

export interface ErrorInfo {
  message: string;
  /** 408 timeout, 424 agent error, 500 runner error, 503 interrupted. */
  code: 408 | 424 | 500 | 503;
  type: string;
}

export type EndedBy = 'persona' | 'agent' | 'max_turns' | 'timeout' | 'error' | 'interrupted';

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** A message of the conversation as connectors and personas see it. */
export interface ConversationMessage {
  role: Side;
  content: string;
}

export type TestCategory =
  | 'csat_score'
  | 'accuracy_of_responses'
  | 'script_compliance'
  | 'angry_user'
  | 'repetitive_phrases'
  | 'conversational_naturalness'
  | 'task_completion';

export const TEST_CATEGORIES: readonly TestCategory[] = [
  'csat_score',
  'accuracy_of_responses',
  'script_compliance',
  'angry_user',
  'repetitive_phrases',
  'conversational_naturalness',
  'task_completion',
];

export interface Scenario {
  id: string;
  name: string;
  description: string;
}
