import { parseToolCall } from '@sims/engine';
import { isObject, type Piece, Problems, type RecordedCall, type ToolCall, type ToolResult, toRecordedCall } from './recording.js';

/**
 * Reads a wire timeline (a simulation's, or a call log in that shape): `message` events of the
 * `persona` (the caller) and the `agent`; the agent's `tool_call` events, read as the engine writes
 * them (`name {json arguments}`), each also a piece of the agent's turn so that a turn of only tool
 * calls keeps the caller's turns around it apart; a `system` `tool_result` answers the earliest
 * unanswered tool call since the last message (the engine writes each call's result right after it;
 * in that order, results of calls made together pair up too). Everything else (`end_call`, `error`, `divergence`, other
 * senders) says nothing about what was said and is skipped, as are messages without a value.
 */
export function readTimeline(items: unknown[]): RecordedCall {
  const problems = new Problems();
  const pieces: Piece[] = [];
  const calls: ToolCall[] = [];
  const results: ToolResult[] = [];
  const unanswered: ToolCall[] = [];
  for (const [index, item] of items.entries()) {
    const field = `/conversation/${index}`;
    if (!isObject(item)) {
      problems.add({ field }, 'must be a timeline event (an object)');
      continue;
    }
    const { sender_type, type, value } = item;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') {
      problems.add({ field: `${field}/value` }, 'must be a string or null');
      continue;
    }
    const place = { field: `${field}/value` };
    if (type === 'message' && (sender_type === 'persona' || sender_type === 'agent')) {
      pieces.push({ side: sender_type === 'persona' ? 'caller' : 'agent', text: value.trim(), place });
      unanswered.length = 0;
    } else if (type === 'tool_call' && sender_type === 'agent') {
      const call = { ...parseToolCall(value.trim()), places: { name: place, arguments: place } };
      if (!call.name) {
        problems.add(place, 'a tool call must start with the tool name (`name {json arguments}`)');
        continue;
      }
      calls.push(call);
      unanswered.push(call);
      pieces.push({ side: 'agent', text: '', place });
    } else if (type === 'tool_result' && sender_type === 'system') {
      const call = unanswered.shift();
      if (call) results.push({ ...call, result: value });
    }
  }
  const call = toRecordedCall('timeline', pieces, { calls, results }, problems);
  problems.check();
  return call;
}
