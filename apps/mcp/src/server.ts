import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { createAjv } from '@sims/spec/runtime';
import { errorAnswer, toolError } from './answers.js';
import { callOperation } from './call.js';
import type { Config } from './config.js';
import { operationTools } from './operations.js';
import { taskTools, type ToolContext } from './tasks.js';
import { VERSION } from './version.js';

type Json = Record<string, unknown>;
// Ajv's types through the spec runtime's factory: Ajv is the spec package's dependency, not this one's.
type ValidateFunction = ReturnType<ReturnType<typeof createAjv>['compile']>;
type ErrorObject = NonNullable<ValidateFunction['errors']>[number];

export interface SimsServerOptions {
  /** The bundled spec the tools are made from. */
  spec: Json;
  config: Config;
  /** Where the server's own lines go (stderr: stdout is the protocol). */
  log: (line: string) => void;
}

const INSTRUCTIONS = `Tools for the Simulations API, which tests voice and chat agents with simulated callers.
For the common jobs use the task tools: run_suite_and_report (run a suite and get its report, optionally compared with the last run), compare_with_last_run, import_transcript (a recorded call becomes a regression case).
Every other tool is one API operation, named by its operationId, taking the path and query parameters by name and the request body as \`body\`.`;

function describeErrors(errors: readonly ErrorObject[]): string[] {
  const lines = errors.map((e) => {
    const where = e.instancePath || '(arguments)';
    if (e.keyword === 'additionalProperties') return `- ${where}: unknown property ${String(e.params.additionalProperty)}`;
    if (e.keyword === 'enum')
      return `- ${where}: ${e.message}: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    return `- ${where}: ${e.message}`;
  });
  return [...new Set(lines)].slice(0, 20);
}

/**
 * The MCP server: one tool per spec operation and the task tools, on the low-level `Server` so
 * the input schemas are the spec's JSON Schemas as they are. Arguments are validated against the
 * schema a tool advertises before anything is sent; an unknown tool is a protocol error (JSON-RPC
 * `-32602`), as the MCP specification has it; everything that goes wrong in a known tool — bad
 * arguments, an API error answer, the API unreachable, a configuration problem — is a tool error
 * (`isError: true`) that the model reads.
 */
export function createSimsServer({ spec, config, log }: SimsServerOptions): { server: Server; tools: Tool[]; problem?: string } {
  const operations = operationTools(spec);
  const byOperation = new Map(operations.map((tool) => [tool.definition.name, tool]));
  const tasks = taskTools(byOperation);
  const handlers = new Map<string, { definition: Tool; run(args: Json, context: ToolContext): Promise<CallToolResult> }>();
  // The task tools first: some clients pass a model only the first tools of a long list.
  for (const task of tasks) handlers.set(task.definition.name, task);
  for (const tool of operations) {
    if (handlers.has(tool.definition.name)) throw new Error(`the operation ${tool.definition.name} has the name of a task tool`);
    handlers.set(tool.definition.name, {
      definition: tool.definition,
      run: (args, context) => callOperation(context.client, tool, args, context.signal),
    });
  }
  const groups: Record<string, (tool: Tool) => boolean> = {
    tasks: (tool) => tasks.some((task) => task.definition.name === tool.name),
    read: (tool) => byOperation.has(tool.name) && tool.annotations?.readOnlyHint === true,
  };
  const selection = config.toolSelection ?? [];
  const unknown = selection.filter((name) => !(name in groups) && !handlers.has(name));
  for (const [name, handler] of handlers) {
    const selected = selection.length === 0 || selection.some((entry) => entry === name || groups[entry]?.(handler.definition));
    if (!selected) handlers.delete(name);
  }
  const problem =
    config.problem ??
    (unknown.length ? `SIMS_MCP_TOOLS names no tool or group (${Object.keys(groups).join(', ')}): ${unknown.join(', ')}` : undefined);
  const tools = [...handlers.values()].map((handler) => handler.definition);

  // Compiled on first use: a client that lists the tools and calls two of them compiles two schemas.
  const ajv = createAjv(spec, { allErrors: true });
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (tool: Tool) => {
    let validate = validators.get(tool.name);
    if (!validate) {
      validate = ajv.compile(tool.inputSchema);
      validators.set(tool.name, validate);
    }
    return validate;
  };

  const server = new Server(
    { name: 'sims', title: 'Simulations API', version: VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const handler = handlers.get(name);
    if (!handler) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const args = request.params.arguments ?? {};
    const validate = validatorOf(handler.definition);
    if (!validate(args)) {
      log(`${name}: invalid arguments`);
      return toolError([`Invalid arguments for ${name}:`, ...describeErrors(validate.errors ?? [])].join('\n'));
    }
    if (problem !== undefined || !config.client) return toolError(`The sims MCP server is not configured: ${problem}`);
    const progressToken = extra._meta?.progressToken;
    // The MCP specification wants the progress value to grow with each notification.
    let lastProgress = -1;
    const context: ToolContext = {
      client: config.client,
      signal: extra.signal,
      pollIntervalMs: config.pollIntervalMs,
      progress: async (progress, total, message) => {
        if (progressToken === undefined || progress <= lastProgress) return;
        lastProgress = progress;
        await extra
          .sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total, message } })
          .catch((error: unknown) => log(`${name}: a progress notification was not sent: ${String(error)}`));
      },
    };
    try {
      const result = await handler.run(args, context);
      log(`${name}: ${result.isError ? 'error' : 'ok'}`);
      return result;
    } catch (error) {
      if (extra.signal.aborted) log(`${name}: cancelled by the client`);
      else log(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      return errorAnswer(error, config.baseUrl);
    }
  });
  return { server, tools, problem };
}
