import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessage,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from 'openai/resources/chat/completions';
import { agentError } from '../errors.js';
import { END_CALL_MARKER, takeEndCallMarker } from '../llm.js';
import { createChatCompletion, LlmReplyError } from '../model/client.js';
import type { OutboundPolicy } from '../net/url-guard.js';
import type { AgentTool, LlmConfig, OpenAiConnector, ToolCall, ToolMock } from '../types.js';
import type { AgentConnection, AnsweredAgentTurn, ConnectionContext } from './connector.js';
import { HTTP_DEFAULT_TIMEOUT_MS, toAgentError } from './http.js';
import { answerToolCall } from './tool-mocks.js';

/** Rounds of tool calls in one agent turn without `max_tool_rounds` (the spec's default). */
export const DEFAULT_MAX_TOOL_ROUNDS = 3;

/** Appended to the agent's prompt so that a chat model can hang up. */
const AGENT_END_CALL_INSTRUCTION = `You are on a phone call. Reply with what you say, nothing else. When the call is over, end your last reply with ${END_CALL_MARKER}.`;

/** Sent as the first user message, since some servers reject a conversation without one. */
const CALL_CONNECTED = '[The call has connected. Greet the caller.]';

const RAW_ARGUMENTS_SHOWN = 200;

/**
 * An agent behind any OpenAI-compatible chat-completions endpoint. With `tools`, each agent turn may
 * take rounds of tool calls: the calls of a round are answered from the case's tool mocks and the
 * model is asked again, up to `max_tool_rounds` rounds; then it is asked once more without tools and
 * must reply. The turn reports the calls and the answers given, in order.
 */
export function createOpenAiConnection(connector: OpenAiConnector, context: ConnectionContext, policy: OutboundPolicy): AgentConnection {
  const llm: LlmConfig = {
    base_url: connector.base_url,
    model: connector.model,
    ...(connector.api_key ? { api_key: connector.api_key } : {}),
    timeout_ms: connector.timeout_ms ?? HTTP_DEFAULT_TIMEOUT_MS,
  };
  const tools = (connector.tools ?? []).map(toolDefinition);
  const maxRounds = connector.max_tool_rounds ?? DEFAULT_MAX_TOOL_ROUNDS;
  const mocks = context.toolMocks ?? [];
  return {
    async turn(request) {
      const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: `${context.prompt}\n\n${AGENT_END_CALL_INSTRUCTION}` }];
      if (request.conversation.length === 0) messages.push({ role: 'user', content: CALL_CONNECTED });
      for (const message of request.conversation) {
        messages.push({ role: message.role === 'agent' ? 'assistant' : 'user', content: message.content });
      }
      const tool_calls: ToolCall[] = [];
      const tool_results: string[] = [];
      for (let round = 0; ; round += 1) {
        const offerTools = tools.length > 0 && round < maxRounds;
        let message: ChatCompletionMessage;
        try {
          ({ message } = await createChatCompletion(
            llm,
            { messages, ...(offerTools ? { tools } : {}) },
            {
              signal: request.signal,
              policy,
              ...(context.onModelUsage ? { onUsage: context.onModelUsage } : {}),
            },
          ));
        } catch (error) {
          if (error instanceof LlmReplyError) {
            throw agentError('agent_malformed_reply', `agent model answered a malformed reply: ${error.message}`);
          }
          throw toAgentError(error, 'agent model');
        }
        const calls = message.tool_calls ?? [];
        if (offerTools && calls.length > 0) {
          const answered = calls.map((call, index) => ({ id: call.id || `call_${round + 1}_${index + 1}`, call }));
          messages.push({
            role: 'assistant',
            content: message.content ?? null,
            tool_calls: answered.map(({ id, call }) => ({ ...call, id })),
          });
          for (const { id, call } of answered) {
            const { recorded, result } = runToolCall(call, mocks);
            tool_calls.push(recorded);
            tool_results.push(result);
            messages.push({ role: 'tool', tool_call_id: id, content: result });
          }
          continue;
        }
        const { text, end_call } = takeEndCallMarker(typeof message.content === 'string' ? message.content : '');
        if (!text && !end_call) {
          const why =
            typeof message.refusal === 'string' && message.refusal
              ? `refused to answer: ${message.refusal.slice(0, RAW_ARGUMENTS_SHOWN)}`
              : calls.length > 0
                ? `still called tools after ${maxRounds} rounds of tool calls, and said nothing`
                : 'answered an empty message';
          throw agentError('agent_malformed_reply', `agent model ${why}`);
        }
        const turn: AnsweredAgentTurn = { reply: text, end_call, tool_calls, tool_results };
        return turn;
      }
    },
  };
}

function toolDefinition(tool: AgentTool): ChatCompletionFunctionTool {
  return {
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
    },
  };
}

/**
 * One tool call as recorded and as answered. Arguments that are not a JSON object (malformed JSON,
 * as a model cut off mid-call sends) are recorded as `{}` and answered with an error that quotes
 * them, so the model can try again; the run goes on.
 */
function runToolCall(call: ChatCompletionMessageToolCall, mocks: readonly ToolMock[]): { recorded: ToolCall; result: string } {
  if (call.type !== 'function') {
    const name = call.custom?.name ?? 'unknown';
    return { recorded: { name, arguments: {} }, result: JSON.stringify({ error: `the tool ${name} is not a function tool` }) };
  }
  const { name } = call.function;
  const raw = call.function.arguments ?? '';
  const refuse = (why: string) => ({
    recorded: { name, arguments: {} },
    result: JSON.stringify({ error: `the arguments of ${name} are ${why}: ${raw.slice(0, RAW_ARGUMENTS_SHOWN)}` }),
  });
  let args: unknown;
  try {
    args = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    return refuse('not valid JSON');
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return refuse('not a JSON object');
  const record = args as Record<string, unknown>;
  return { recorded: { name, arguments: record }, result: answerToolCall(mocks, name, record) };
}
