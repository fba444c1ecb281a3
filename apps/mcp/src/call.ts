import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { readNdjson, SimulationsApiError, type SimulationsClient, unwrap } from '@sims/client';
import { answer } from './answers.js';
import type { OperationTool } from './operations.js';

type Args = Record<string, unknown>;
type Result = { data?: unknown; error?: unknown; response: Response };
/** openapi-fetch's method for one verb, called with a path known only at run time. */
type Call = (path: string, init: Record<string, unknown>) => Promise<Result>;

function pick(args: Args, names: readonly string[]): Args | undefined {
  const picked = Object.fromEntries(names.filter((name) => args[name] !== undefined).map((name) => [name, args[name]]));
  return Object.keys(picked).length ? picked : undefined;
}

/** An event of a stream that reports a failure part-way (`{"type": "error", …}`). */
function isErrorEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'error';
}

/**
 * Calls one operation through the typed client's method for its verb, with the arguments already
 * validated against the tool's input schema. The answer is the payload (the `{ status, response }`
 * envelope removed, as `unwrap` does); a streamed answer is read to its end and answered as the
 * list of its events, an error event making it a tool error (what came before it still happened:
 * the cases generated before a failure are saved). An error answer throws a `SimulationsApiError`.
 */
export async function callOperation(
  client: SimulationsClient,
  tool: OperationTool,
  args: Args,
  signal: AbortSignal,
): Promise<CallToolResult> {
  const call = client[tool.method] as unknown as Call;
  const init = {
    params: {
      path: pick(args, tool.pathParams),
      query: pick(args, tool.queryParams),
      header: tool.idempotencyKey ? { 'Idempotency-Key': randomUUID() } : undefined,
    },
    body: tool.hasBody ? args.body : undefined,
    parseAs: tool.streams ? 'stream' : 'json',
    signal,
  };
  if (tool.streams) {
    const { data, error, response } = await call(tool.path, init);
    if (error !== undefined || !response.ok) throw new SimulationsApiError(response, error);
    if (!data) throw new Error(`${tool.definition.name}: the answer has no body`);
    const events: unknown[] = [];
    for await (const event of readNdjson(data as ReadableStream<Uint8Array>)) events.push(event);
    const failed = events.some(isErrorEvent);
    const result = answer(events, `${events.length} events streamed${failed ? ', ending with an error' : ''}`);
    return failed ? { ...result, isError: true } : result;
  }
  const result = await call(tool.path, init);
  const payload = await unwrap(result);
  return payload === undefined ? answer(undefined, `${result.response.status} ${result.response.statusText || 'done'}`) : answer(payload);
}
