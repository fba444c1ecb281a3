import { SpecValidator, bundledSpecPath } from '@sims/testkit';
import { readFileSync } from 'node:fs';

type Node = Record<string, unknown>;

/**
 * The bundled spec with every object schema that lists `properties` closed
 * (`unevaluatedProperties: false`) unless it says otherwise. Response schemas are open in the spec, so
 * that clients tolerate additions; the reference server must send exactly the declared fields.
 */
function close(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(close);
  if (!node || typeof node !== 'object') return node;
  const copy: Node = {};
  for (const [key, value] of Object.entries(node)) copy[key] = key === 'example' || key === 'examples' ? value : close(value);
  if (
    copy.properties &&
    typeof copy.properties === 'object' &&
    copy.additionalProperties === undefined &&
    copy.unevaluatedProperties === undefined
  ) {
    copy.unevaluatedProperties = false;
  }
  return copy;
}

export const strictSpec = new SpecValidator(close(JSON.parse(readFileSync(bundledSpecPath, 'utf8'))) as Node);

/** Problems of a response against its operation's declared response, with no undeclared field allowed. */
export function responseProblems(operationId: string, status: number, body: unknown, mediaType = 'application/json'): string[] {
  try {
    return strictSpec
      .validateResponse(operationId, status, body, mediaType)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  } catch (error) {
    return [String(error instanceof Error ? error.message : error)];
  }
}
