import { isObject, type Piece, Problems, type RecordedCall, type ToolCall, type ToolResult, toRecordedCall } from './recording.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

/**
 * A message's text: a string as it is, `null` or absent as nothing, an array of parts as its `text`
 * parts joined by line breaks (images, audio and other parts say nothing the replay can use).
 * Undefined when `content` is none of these.
 */
function contentText(content: unknown): string | undefined {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content.trim();
  if (!Array.isArray(content)) return undefined;
  return content
    .flatMap((part) => (isObject(part) && typeof part.text === 'string' && part.text.trim() ? [part.text.trim()] : []))
    .join('\n');
}

/**
 * Reads an OpenAI chat log: `user` is the caller, `assistant` the agent (its `tool_calls` read with
 * their JSON-text arguments), `tool` messages answer an earlier call by its `tool_call_id`;
 * `system` and `developer` messages are skipped. An assistant message with only tool calls is still
 * a piece of the agent's turn, so that the caller's messages around it stay separate turns.
 */
export function readMessages(items: unknown[]): RecordedCall {
  const problems = new Problems();
  const pieces: Piece[] = [];
  const calls: ToolCall[] = [];
  const results: ToolResult[] = [];
  const byId = new Map<string, ToolCall>();
  for (const [index, item] of items.entries()) {
    const field = `/conversation/${index}`;
    if (!isObject(item)) {
      problems.add({ field }, 'must be a chat message (an object with a role)');
      continue;
    }
    const { role } = item;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      problems.add({ field: `${field}/role` }, `must be one of ${[...ROLES].join(', ')}`);
      continue;
    }
    if (role === 'system' || role === 'developer') continue;
    const text = contentText(item.content);
    if (text === undefined) {
      problems.add({ field: `${field}/content` }, 'must be a string, null, or an array of parts');
      continue;
    }
    if (role === 'user') {
      pieces.push({ side: 'caller', text, place: { field: `${field}/content` } });
    } else if (role === 'assistant') {
      pieces.push({ side: 'agent', text, place: { field: `${field}/content` } });
      readToolCalls(item.tool_calls, field, problems, (id, call) => {
        calls.push(call);
        if (id !== undefined) byId.set(id, call);
      });
    } else {
      const id = item.tool_call_id;
      const call = typeof id === 'string' ? byId.get(id) : undefined;
      if (!call) {
        problems.add(
          { field: `${field}/tool_call_id` },
          typeof id === 'string'
            ? `answers no tool call of an assistant message before it (${JSON.stringify(id)})`
            : 'is required for a tool message',
        );
        continue;
      }
      results.push({ ...call, result: text });
    }
  }
  const call = toRecordedCall('messages', pieces, { calls, results }, problems);
  problems.check();
  return call;
}

function readToolCalls(value: unknown, field: string, problems: Problems, found: (id: string | undefined, call: ToolCall) => void): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    problems.add({ field: `${field}/tool_calls` }, 'must be an array');
    return;
  }
  for (const [m, entry] of value.entries()) {
    const at = `${field}/tool_calls/${m}`;
    const fn = isObject(entry) ? entry.function : undefined;
    if (!isObject(fn) || typeof fn.name !== 'string' || !fn.name) {
      problems.add({ field: `${at}/function/name` }, 'a tool call must name its function');
      continue;
    }
    const args = readArguments(fn.arguments);
    if (typeof args === 'string') {
      problems.add({ field: `${at}/function/arguments` }, args);
      continue;
    }
    const id = isObject(entry) && typeof entry.id === 'string' ? entry.id : undefined;
    found(id, {
      name: fn.name,
      arguments: args,
      places: { name: { field: `${at}/function/name` }, arguments: { field: `${at}/function/arguments` } },
    });
  }
}

/** The arguments of a tool call, sent by OpenAI as a JSON text; a message (string) when they cannot be read. */
function readArguments(value: unknown): Record<string, unknown> | string {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'string') return 'must be a JSON text (a string), as OpenAI sends it';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  return isObject(parsed) ? parsed : 'must be a JSON object';
}
