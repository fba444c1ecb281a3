import { at } from '@sims/spec/runtime';

type Json = Record<string, unknown>;

// The keywords whose value is a schema, a list of schemas, or a map of names to schemas (JSON Schema
// 2020-12). Everything else is data (`enum`, `const`, `default`, `examples`) and is copied as it is.
const SUBSCHEMA = new Set([
  'items',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'contentSchema',
]);
const SUBSCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SUBSCHEMA_MAP = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
// Siblings of a `$ref` that only annotate it, so they can be merged into the schema it points at.
const ANNOTATION = new Set(['description', 'default', 'deprecated', 'title', 'examples', 'readOnly', 'writeOnly', '$comment']);

/** OpenAPI's own keywords: MCP clients read tool schemas as plain JSON Schema, where they mean nothing. */
function isOpenApiKeyword(key: string): boolean {
  return key === 'example' || key === 'discriminator' || key === 'xml' || key === 'externalDocs' || key.startsWith('x-');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The node a local `$ref` (`#/components/schemas/Case`) points at. */
function resolvePointer(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs can be inlined, not ${ref}`);
  return at(document, ref.slice(1));
}

/**
 * A copy of `schema` with every `$ref` into `document` replaced by what it points at, and OpenAPI's
 * own keywords left out: a tool's input schema must stand alone, since MCP clients do not resolve
 * references into a document they never see. A `$ref` with annotations beside it (`description`,
 * `default`) becomes the target with those annotations; with other keywords beside it, an `allOf` of
 * the target and them, which is what a `$ref` with siblings means in JSON Schema 2020-12. A recursive
 * schema cannot be inlined and throws.
 */
export function inlineSchema(document: Json, schema: unknown, trail: readonly string[] = []): Json {
  if (!isObject(schema)) throw new Error(`not a schema at ${trail.join(' → ') || 'the root'}: ${JSON.stringify(schema)}`);
  const { $ref, ...rest } = schema;
  if (typeof $ref === 'string') {
    if (trail.includes($ref)) throw new Error(`recursive schema: ${[...trail, $ref].join(' → ')}`);
    const target = inlineSchema(document, resolvePointer(document, $ref), [...trail, $ref]);
    const siblings = inlineSchema(document, rest, trail);
    if (Object.keys(siblings).every((key) => ANNOTATION.has(key))) return { ...target, ...siblings };
    return { allOf: [target], ...siblings };
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(rest)) {
    if (isOpenApiKeyword(key)) continue;
    if (SUBSCHEMA.has(key) && isObject(value)) out[key] = inlineSchema(document, value, trail);
    else if (SUBSCHEMA_LIST.has(key) && Array.isArray(value)) out[key] = value.map((item) => inlineSchema(document, item, trail));
    else if (SUBSCHEMA_MAP.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, item]) => [name, inlineSchema(document, item, trail)]));
    } else out[key] = structuredClone(value);
  }
  return out;
}
