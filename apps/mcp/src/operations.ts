import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { resolveRef } from '@sims/spec/runtime';
import { inlineSchema } from './schema.js';

type Json = Record<string, unknown>;

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The header the client generates for each call (a fresh key per tool call), rather than a tool argument. */
const IDEMPOTENCY_KEY = 'idempotency-key';

/** One operation of the spec as a tool: its MCP definition and how a call maps onto the HTTP request. */
export interface OperationTool {
  definition: Tool;
  method: HttpMethod;
  /** The path template, as the typed client takes it (`/simulation_suites/{suite_id}`). */
  path: string;
  pathParams: readonly string[];
  queryParams: readonly string[];
  /** The operation takes a request body, passed as the `body` argument. */
  hasBody: boolean;
  /** The operation answers newline-delimited JSON, collected line by line into the answer. */
  streams: boolean;
  /** The operation takes an `Idempotency-Key`: each tool call sends a fresh one, so the client's retries are safe. */
  idempotencyKey: boolean;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  description?: string;
  required?: boolean;
  deprecated?: boolean;
  schema?: unknown;
}

function parameters(spec: Json, pathItem: Json, operation: Json): Parameter[] {
  const list = (node: unknown) => (Array.isArray(node) ? node.map((p) => resolveRef<Parameter>(spec, p).node) : []);
  // An operation's parameter overrides the path's parameter of the same name and location.
  const byKey = new Map<string, Parameter>();
  for (const parameter of [...list(pathItem.parameters), ...list(operation.parameters)]) {
    byKey.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  return [...byKey.values()];
}

/** A parameter's schema for a tool argument, with the parameter's own description when the schema has none. */
function parameterSchema(spec: Json, parameter: Parameter): Json {
  const schema = inlineSchema(spec, parameter.schema ?? {});
  return {
    ...schema,
    ...(parameter.description && schema.description === undefined ? { description: parameter.description.trim() } : {}),
    ...(parameter.deprecated ? { deprecated: true } : {}),
  };
}

/** The media types of the operation's success answers. */
function successMediaTypes(spec: Json, operation: Json): string[] {
  const responses = (operation.responses ?? {}) as Record<string, unknown>;
  return Object.entries(responses)
    .filter(([status]) => /^2/.test(status))
    .flatMap(([, response]) => Object.keys(resolveRef<Json>(spec, response).node.content ?? {}));
}

// What the client may do to the API, derived from the method: a hint to MCP clients (asking before a
// delete, say), never a guarantee.
function annotations(method: HttpMethod, title: string): Tool['annotations'] {
  if (method === 'GET') return { title, readOnlyHint: true };
  if (method === 'DELETE' || method === 'PUT') return { title, readOnlyHint: false, destructiveHint: true, idempotentHint: true };
  return { title, readOnlyHint: false };
}

function describe(method: HttpMethod, path: string, operation: Json): string {
  const summary = typeof operation.summary === 'string' ? operation.summary.trim() : '';
  const description = typeof operation.description === 'string' ? operation.description.trim() : '';
  const deprecated = operation.deprecated ? 'Deprecated. ' : '';
  return [`${deprecated}${summary}`, description, `\`${method} ${path}\``].filter((part) => part !== '').join('\n\n');
}

/**
 * One tool per operation of the bundled spec: the `operationId` as its name, the summary and
 * description as its description, and an input schema with the path and query parameters as
 * properties and the request body as `body`, every `$ref` inlined. Header parameters are not
 * arguments: the key is the server's configuration and `Idempotency-Key` is generated per call.
 * Throws when an operation needs something a tool argument cannot give (a required header, a
 * parameter named like another), so a spec change that breaks the mapping fails at start-up and in
 * the tests rather than on a call.
 */
export function operationTools(spec: Json): OperationTool[] {
  const tools: OperationTool[] = [];
  for (const [path, pathItem] of Object.entries((spec.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const operation = pathItem[method.toLowerCase()] as Json | undefined;
      if (!operation) continue;
      const name = operation.operationId;
      if (typeof name !== 'string') throw new Error(`${method} ${path} has no operationId`);
      const params = parameters(spec, pathItem, operation);
      const properties: Record<string, Json> = {};
      const required: string[] = [];
      for (const parameter of params) {
        if (parameter.in === 'header' && parameter.name.toLowerCase() === IDEMPOTENCY_KEY) continue;
        if (parameter.in !== 'path' && parameter.in !== 'query') {
          if (parameter.required)
            throw new Error(`${name}: the required ${parameter.in} parameter ${parameter.name} cannot be a tool argument`);
          continue;
        }
        if (parameter.name in properties) throw new Error(`${name}: two parameters are named ${parameter.name}`);
        properties[parameter.name] = parameterSchema(spec, parameter);
        if (parameter.required || parameter.in === 'path') required.push(parameter.name);
      }
      const requestBody = operation.requestBody ? resolveRef<Json>(spec, operation.requestBody).node : undefined;
      if (requestBody) {
        if ('body' in properties) throw new Error(`${name}: a parameter is named body, which holds the request body`);
        const content = (requestBody.content ?? {}) as Record<string, Json>;
        const json = content['application/json'];
        if (!json) throw new Error(`${name}: only JSON request bodies can be tool arguments, not ${Object.keys(content).join(', ')}`);
        const schema = inlineSchema(spec, json.schema ?? {});
        const description = typeof requestBody.description === 'string' ? requestBody.description.trim() : undefined;
        properties.body = description && schema.description === undefined ? { ...schema, description } : schema;
        if (requestBody.required) required.push('body');
      }
      const media = successMediaTypes(spec, operation);
      const title = typeof operation.summary === 'string' ? operation.summary.trim() : name;
      tools.push({
        definition: {
          name,
          title,
          description: describe(method, path, operation),
          inputSchema: { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false },
          annotations: annotations(method, title),
        },
        method,
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: requestBody !== undefined,
        streams: media.includes('application/x-ndjson'),
        idempotencyKey: params.some((p) => p.in === 'header' && p.name.toLowerCase() === IDEMPOTENCY_KEY),
      });
    }
  }
  return tools;
}
