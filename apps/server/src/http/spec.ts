import type { FastifySchema } from 'fastify';
import { SPEC_ID, escapePointer, resolveRef } from '@sims/spec/runtime';
import type { OperationId } from './types.js';

type Node = Record<string, unknown>;
const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

export interface SpecOperation {
  operationId: OperationId;
  method: (typeof METHODS)[number];
  /** Path as the spec writes it (`/simulation_suites/{suite_id}`). */
  path: string;
  /** The same path in Fastify's syntax, without the `/v2` prefix. */
  route: string;
  secured: boolean;
  bodyRequired: boolean;
  /** Takes an `Idempotency-Key` header. */
  idempotent: boolean;
  /** Route schemas: `$ref`s into the spec, so no schema is copied. */
  schema: FastifySchema;
  headerNames: string[];
}

const ref = (pointer: string) => ({ $ref: `${SPEC_ID}#${pointer}` });

/** Every operation of the bundled spec, with the route schemas that validate its requests. */
export function specOperations(spec: Node): SpecOperation[] {
  const globallySecured = Array.isArray(spec.security) && spec.security.length > 0;
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths as Record<string, Node>)) {
    const itemPointer = `/paths/${escapePointer(path)}`;
    for (const method of METHODS) {
      const definition = item[method] as Node | undefined;
      if (!definition) continue;
      const opPointer = `${itemPointer}/${method}`;
      const parameters = [
        ...((item.parameters as Node[] | undefined) ?? []).map((p, i) => resolveRef<Node>(spec, p, `${itemPointer}/parameters/${i}`)),
        ...((definition.parameters as Node[] | undefined) ?? []).map((p, i) => resolveRef<Node>(spec, p, `${opPointer}/parameters/${i}`)),
      ];
      const parts: Record<'path' | 'query' | 'header', { properties: Node; required: string[] }> = {
        path: { properties: {}, required: [] },
        query: { properties: {}, required: [] },
        header: { properties: {}, required: [] },
      };
      const headerNames: string[] = [];
      for (const { node, pointer } of parameters) {
        const where = node.in as keyof typeof parts;
        if (!(where in parts)) continue;
        const name = where === 'header' ? String(node.name).toLowerCase() : String(node.name);
        if (where === 'header') headerNames.push(String(node.name));
        parts[where].properties[name] = ref(`${pointer}/schema`);
        if (node.required) parts[where].required.push(name);
      }
      const schema: FastifySchema = {};
      const object = (part: { properties: Node; required: string[] }) => ({
        type: 'object',
        properties: part.properties,
        required: part.required,
      });
      if (Object.keys(parts.path.properties).length) schema.params = object(parts.path);
      if (Object.keys(parts.query.properties).length) schema.querystring = object(parts.query);
      if (Object.keys(parts.header.properties).length) schema.headers = object(parts.header);
      let bodyRequired = false;
      if (definition.requestBody) {
        const body = resolveRef<Node>(spec, definition.requestBody as Node, `${opPointer}/requestBody`);
        if (!(body.node.content as Node)['application/json'])
          throw new Error(`${String(definition.operationId)}: only JSON request bodies are supported`);
        schema.body = ref(`${body.pointer}/content/application~1json/schema`);
        bodyRequired = Boolean(body.node.required);
      }
      const security = definition.security as unknown[] | undefined;
      operations.push({
        operationId: definition.operationId as OperationId,
        method,
        path,
        route: path.replace(/\{(\w+)\}/g, ':$1'),
        secured: security ? security.length > 0 : globallySecured,
        bodyRequired,
        idempotent: parameters.some(({ node }) => node.in === 'header' && node.name === 'Idempotency-Key'),
        schema,
        headerNames,
      });
    }
  }
  return operations;
}
