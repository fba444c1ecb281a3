import type { ConversationMessage, TimelineItem, ToolCall } from '../types.js';

/** The facts of a call that checks and the judge read from its timeline. */
export interface Transcript {
  messages: ConversationMessage[];
  toolCalls: ToolCall[];
  /** `persona`/`agent`: that side ended the call; `max_turns`: the turn limit did; null: it did not end normally. */
  endedBy: 'persona' | 'agent' | 'max_turns' | null;
  /** Persona messages (see "turn" in the README). */
  turns: number;
}

/** How a tool call is written into a `tool_call` timeline event's `value`: `name {json arguments}`. */
export function formatToolCall(call: ToolCall): string {
  return `${call.name} ${JSON.stringify(call.arguments)}`;
}

export function parseToolCall(value: string): ToolCall {
  const space = value.indexOf(' ');
  if (space < 0) return { name: value, arguments: {} };
  try {
    const parsed: unknown = JSON.parse(value.slice(space + 1));
    const args = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    return { name: value.slice(0, space), arguments: args };
  } catch {
    return { name: value.slice(0, space), arguments: {} };
  }
}

export function readTranscript(timeline: readonly TimelineItem[]): Transcript {
  const messages: ConversationMessage[] = [];
  const toolCalls: ToolCall[] = [];
  let endedBy: Transcript['endedBy'] = null;
  for (const item of timeline) {
    if (item.type === 'message' && (item.sender_type === 'persona' || item.sender_type === 'agent')) {
      messages.push({ role: item.sender_type, content: item.value });
    } else if (item.type === 'tool_call' && item.sender_type === 'agent') {
      toolCalls.push(parseToolCall(item.value));
    } else if (item.type === 'end_call') {
      endedBy = item.sender_type === 'system' ? 'max_turns' : item.sender_type;
    }
  }
  return { messages, toolCalls, endedBy, turns: messages.filter((m) => m.role === 'persona').length };
}

/**
 * The transcript as text for an LLM judge. A replay's `divergence` event is left out: it compares the
 * agent with an old recording, which is not what the criteria ask, and would bias the verdict.
 */
export function renderTranscript(timeline: readonly TimelineItem[]): string {
  return timeline
    .filter((item) => item.type !== 'divergence')
    .map((item) => {
      const who = item.sender_type === 'persona' ? 'caller' : item.sender_type;
      const what = item.type === 'message' ? '' : ` (${item.type.replace('_', ' ')})`;
      return `[${item.timestamp}s] ${who}${what}: ${item.value}`;
    })
    .join('\n');
}
