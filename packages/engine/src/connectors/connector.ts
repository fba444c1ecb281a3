import type { components } from '@sims/api-types';
import type { UsageSink } from '../model/usage.js';
import type { ConversationMessage, CustomVariables, ToolCall, ToolMock } from '../types.js';

type WireReply = Required<components['schemas']['AgentTurnReply']>;

/** What the agent under test answers to one request: the webhook's `AgentTurnReply`, every field set. */
export interface AgentTurn extends WireReply {
  /** What the agent says; may be empty only when it ends the call. */
  reply: string;
  end_call: boolean;
  /** Lookups the agent performed before replying, in order. */
  tool_calls: ToolCall[];
}

/**
 * The turn of a connection whose tool calls the engine answers (`openai` agents, from tool mocks):
 * `tool_results[i]` is what `tool_calls[i]` was answered. Other connections run their own tools.
 */
export interface AnsweredAgentTurn extends AgentTurn {
  tool_results: string[];
}

export interface AgentTurnRequest {
  simulationId?: string;
  /** The conversation so far; empty for the agent's opening (the call has just connected). */
  conversation: ConversationMessage[];
  signal: AbortSignal;
}

/** One agent under test for one simulation. Implementations report failures by throwing EngineError. */
export interface AgentConnection {
  turn(request: AgentTurnRequest): Promise<AgentTurn>;
}

export interface ConnectionContext {
  agentId: string;
  /** The agent's prompt with custom variables already substituted. */
  prompt: string;
  agentName: string;
  customVariables: CustomVariables;
  /** The running case's answers to the agent model's tool calls (`openai` agents). */
  toolMocks?: readonly ToolMock[];
  /** Receives the usage of each model call the agent makes (`openai` agents). */
  onModelUsage?: UsageSink;
}
