import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifySchema } from 'fastify';
import type { OperationId } from './types.js';

type Node = Record<string, unknown>;
const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;
export const SPEC_ID = 'openapi.json';

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

const require = createRequire(import.meta.url);

export function loadSpec(file = require.resolve('@sims/spec/openapi.json')): Node {
  return JSON.parse(readFileSync(file, 'utf8')) as Node;
}

const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

function at(spec: Node, pointer: string): Node {
  return pointer.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<Node>((node, key) => node[key] as Node, spec);
}

/** Follows `$ref`s to a node, answering it with the JSON pointer where it lives. */
function resolve(spec: Node, node: Node, pointer: string): { node: Node; pointer: string } {
  while (typeof node.$ref === 'string') {
    pointer = node.$ref.slice(1);
    node = at(spec, pointer);
  }
  return { node, pointer };
}

const ref = (pointer: string) => ({ $ref: `${SPEC_ID}#${pointer}` });

/** Every operation of the bundled spec, with the route schemas that validate its requests. */
export function specOperations(spec: Node): SpecOperation[] {
  const globallySecured = Array.isArray(spec.security) && spec.security.length > 0;
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths as Record<string, Node>)) {
    const itemPointer = `/paths/${escape(path)}`;
    for (const method of METHODS) {
      const definition = item[method] as Node | undefined;
      if (!definition) continue;
      const opPointer = `${itemPointer}/${method}`;
      const parameters = [
        ...((item.parameters as Node[] | undefined) ?? []).map((p, i) => resolve(spec, p, `${itemPointer}/parameters/${i}`)),
        ...((definition.parameters as Node[] | undefined) ?? []).map((p, i) => resolve(spec, p, `${opPointer}/parameters/${i}`)),
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
      const object = (part: { properties: Node; required: string[] }) => ({ type: 'object', properties: part.properties, required: part.required });
      if (Object.keys(parts.path.properties).length) schema.params = object(parts.path);
      if (Object.keys(parts.query.properties).length) schema.querystring = object(parts.query);
      if (Object.keys(parts.header.properties).length) schema.headers = object(parts.header);
      let bodyRequired = false;
      if (definition.requestBody) {
        const body = resolve(spec, definition.requestBody as Node, `${opPointer}/requestBody`);
        if (!(body.node.content as Node)['application/json']) throw new Error(`${String(definition.operationId)}: only JSON request bodies are supported`);
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
