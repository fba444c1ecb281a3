import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import type { FastifySchemaCompiler } from 'fastify';
import { createAjv } from '@sims/spec/runtime';

/**
 * The detailed pass runs only on requests of at most this many JSON values. Ajv with `allErrors`
 * makes about 11 errors per `{}` in a `oneOf` array and slows down faster than linearly: measured
 * here, 500 such values take a few milliseconds, 2,000 take half a second. The largest body that
 * respects the spec's limits holds a few hundred values.
 */
export const DETAIL_NODE_LIMIT = 500;

/** Ajv errors handed on per failed request, enough for the capped details after de-duplication. */
const MAX_ERRORS = 100;

/** Whether `value` holds at most `limit` JSON values, itself included; stops counting past the limit. */
export function withinNodes(value: unknown, limit: number): boolean {
  const stack: unknown[] = [value];
  let count = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    count += 1;
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      if (count + stack.length + node.length > limit) return false;
      for (const item of node) stack.push(item);
    } else {
      for (const key in node) {
        if (count + stack.length >= limit) return false;
        stack.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return count <= limit;
}

const COMPOSITES = new Set(['oneOf', 'anyOf', 'not']);

/**
 * A copy of the spec without the `default` keywords of schemas inside `oneOf`, `anyOf` or `not`
 * (through `$ref`s too). Ajv applies no default inside those, since a branch that fails would still
 * fill the data in, except in a referenced schema it compiles as a function of its own (one holding
 * a `$ref`, which it never inlines): there every branch tried fills its defaults in. When the
 * `openai` connector gained `tools` (a `$ref`), every connector sent got its `timeout_ms` and
 * `max_tool_rounds`, a builtin one included, whatever its kind. Without them the rule is Ajv's
 * documented one whatever is inlined: a connector or a check is stored as sent (the engine and the
 * reads fill in what is left out, as before).
 */
function withoutCompositeDefaults(spec: object): object {
  const copy = structuredClone(spec) as Record<string, unknown>;
  const resolve = (ref: string): unknown => {
    if (!ref.startsWith('#/')) return undefined;
    let node: unknown = copy;
    for (const part of ref.slice(2).split('/')) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
    return node;
  };
  // A schema is walked at most twice: once reached outside any composite, once inside one.
  const seen = { inside: new Set<object>(), outside: new Set<object>() };
  const stack: Array<{ node: unknown; composite: boolean }> = [{ node: copy, composite: false }];
  while (stack.length > 0) {
    const { node, composite } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const visited = composite ? seen.inside : seen.outside;
    if (visited.has(node)) continue;
    visited.add(node);
    const record = node as Record<string, unknown>;
    if (composite && !Array.isArray(node)) delete record.default;
    if (typeof record.$ref === 'string') stack.push({ node: resolve(record.$ref), composite });
    for (const [key, value] of Object.entries(record)) stack.push({ node: value, composite: composite || COMPOSITES.has(key) });
  }
  return copy;
}

/**
 * One validator from two compilations of a schema. The fail-fast one (`allErrors: false`) runs on
 * every request, so a valid request pays one pass and an invalid one stops at its first error: an
 * oversized array fails on `maxItems` before any item is looked at. Only a small invalid request
 * is validated again with every error reported, so that a client fixing a hand-written body sees
 * all its mistakes at once.
 *
 * Both are compiled on first use rather than when Fastify registers the route: compiling every
 * operation's schemas twice (and four Ajv instances) was most of the server's start-up time. The
 * first request of an operation compiles its fail-fast validator; the detailed one waits for the
 * first invalid request. The answers are the same as with eager compilation.
 */
function failFastThenDetailed(compileFast: () => ValidateFunction, compileDetailed: () => ValidateFunction) {
  let fast: ValidateFunction | undefined;
  let detailed: ValidateFunction | undefined;
  const validate = (data: unknown, context?: Parameters<ValidateFunction>[1]): boolean => {
    fast ??= compileFast();
    if (fast(data, context)) {
      validate.errors = null;
      return true;
    }
    let errors = fast.errors;
    if (withinNodes(data, DETAIL_NODE_LIMIT)) {
      detailed ??= compileDetailed();
      if (!detailed(data, context)) errors = detailed.errors;
    }
    validate.errors = (errors ?? []).slice(0, MAX_ERRORS);
    return false;
  };
  validate.errors = null as ValidateFunction['errors'];
  // Fastify hands Ajv the request as parent data (so defaults can replace a missing root) only
  // when the function carries Ajv's `schemaEnv`; it reads it just before each call.
  Object.defineProperty(validate, 'schemaEnv', {
    get: () => {
      fast ??= compileFast();
      return fast.schemaEnv;
    },
  });
  return validate;
}

/**
 * Fastify's validator compiler, on Ajv with the JSON Schema 2020-12 dialect of OpenAPI 3.1 and the
 * whole spec loaded, so route schemas are `$ref`s into it. Bodies are validated strictly (a string is
 * never taken for a number); query, path and header values arrive as strings and are coerced, and a
 * single value of an array parameter becomes a one-item array.
 *
 * Each of the four Ajv instances is made on first use, and none checks schemas against the JSON
 * Schema meta-schema (compiling the meta-schema cost about a quarter of a second per instance at
 * start-up): the bundled spec is checked against it once, by the spec's tests and the server's
 * `validation-lazy` test, not at every start.
 */
export function validatorCompiler(spec: object): FastifySchemaCompiler<unknown> {
  let prepared: object | undefined;
  const compiled = () => {
    prepared ??= withoutCompositeDefaults(spec);
    return prepared;
  };
  const make = (coerce: boolean, allErrors: boolean) => {
    let ajv: Ajv2020 | undefined;
    return () =>
      (ajv ??= createAjv(compiled(), {
        allErrors,
        useDefaults: true,
        coerceTypes: coerce ? 'array' : false,
        removeAdditional: false,
        validateSchema: false,
      }));
  };
  const body = { fast: make(false, false), detailed: make(false, true) };
  const parameters = { fast: make(true, false), detailed: make(true, true) };
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? body : parameters;
    return failFastThenDetailed(
      () => ajv.fast().compile(schema as object),
      () => ajv.detailed().compile(schema as object),
    );
  };
}
