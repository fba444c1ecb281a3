import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SimulationsApiError } from '@sims/client';

/** A successful answer: an optional line for people, then the API's payload as JSON. */
export function answer(payload: unknown, summary?: string): CallToolResult {
  const content: CallToolResult['content'] = [];
  if (summary) content.push({ type: 'text', text: summary });
  if (payload !== undefined) content.push({ type: 'text', text: JSON.stringify(payload) });
  return { content };
}

/** A tool error: the call was understood but did not succeed, which the model reads and may act on. */
export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/**
 * Any failure of a call as a tool error: an API error answer with its status, code, message, field
 * details and request id (what support needs); a time-out or a network failure with what was tried.
 */
export function errorAnswer(error: unknown, baseUrl: string): CallToolResult {
  if (error instanceof SimulationsApiError) {
    const lines = [`${error.status} ${error.code}: ${error.apiMessage}`];
    for (const detail of error.details) lines.push(`- ${detail.location} ${detail.field || '(the whole body)'}: ${detail.message}`);
    if (error.retryAfterMs !== undefined) lines.push(`retry after ${Math.ceil(error.retryAfterMs / 1000)} s`);
    if (error.requestId) lines.push(`request id: ${error.requestId}`);
    return toolError(lines.join('\n'));
  }
  if (error instanceof DOMException && error.name === 'TimeoutError') return toolError(`timed out: ${error.message}`);
  if (error instanceof TypeError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return toolError(`could not reach the API at ${baseUrl}: ${error.message}${cause}`);
  }
  return toolError(error instanceof Error ? error.message : String(error));
}
