import fc from 'fast-check';
import type { Schema } from './spec-model.js';
import { anyJson, dateTime, repeated, text, transcript, uri } from './values.js';

export interface SchemaContext {
  /** Follows `$ref`s to the schema they name. */
  deref(node: unknown): Schema;
  /** An arbitrary for a string field that holds a resource id, chosen by the field's name. */
  idField?(name: string): fc.Arbitrary<unknown> | undefined;
}

/** Valid lists stay short; the schema's maximum is reached one time in ten. */
const SHORT_ITEMS = 4;
const SHORT_TEXT = 40;

/**
 * An arbitrary of values valid against a JSON Schema (the 2020-12 subset the spec uses: type,
 * const, enum, oneOf/anyOf/allOf, properties/required/additionalProperties/propertyNames/
 * maxProperties, items/minItems/maxItems/uniqueItems, string lengths, formats and patterns, number
 * ranges). Lengths and counts hit their bounds now and then, since that is where servers break.
 */
export function arbitraryFor(schema: unknown, context: SchemaContext, name?: string, depth = 0): fc.Arbitrary<unknown> {
  const node = context.deref(schema);
  if (depth > 12) return fc.constant(null);
  if ('const' in node) return fc.constant(node.const);
  if (Array.isArray(node.enum)) return fc.constantFrom(...(node.enum as unknown[]));
  const union = (node.oneOf ?? node.anyOf) as unknown[] | undefined;
  if (union) return fc.oneof(...union.map((branch) => arbitraryFor(branch, context, name, depth + 1)));
  if (Array.isArray(node.allOf)) return arbitraryFor(mergeAll(node.allOf.map((part) => context.deref(part))), context, name, depth + 1);
  const types = typeof node.type === 'string' ? [node.type] : (node.type as string[] | undefined);
  if (!types) return anyJson;
  const arbitraries = types.map((type) => ({
    weight: type === 'null' ? 1 : 6,
    arbitrary: byType(type, node, context, name, depth),
  }));
  return arbitraries.length === 1 ? arbitraries[0]!.arbitrary : fc.oneof(...arbitraries);
}

function byType(type: string, node: Schema, context: SchemaContext, name: string | undefined, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = typeof node.minimum === 'number' ? node.minimum : -1_000_000;
      const max = typeof node.maximum === 'number' ? node.maximum : 1_000_000;
      const inRange = type === 'integer' ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      // Small values most of the time (page 1 to 20 has records to show), the whole range and its bounds too.
      const low = type === 'integer' ? fc.integer({ min, max: Math.min(max, Math.max(min, 0) + 20) }) : inRange;
      return fc.oneof(
        { weight: 5, arbitrary: low },
        { weight: 3, arbitrary: inRange },
        { weight: 1, arbitrary: fc.constantFrom(min, max) },
      );
    }
    case 'string':
      return stringFor(node, context, name);
    case 'array':
      return arrayFor(node, context, name, depth);
    case 'object':
      return objectFor(node, context, depth);
    default:
      throw new Error(`schema type ${type} is not supported`);
  }
}

function stringFor(node: Schema, context: SchemaContext, name: string | undefined): fc.Arbitrary<unknown> {
  const id = name === undefined ? undefined : context.idField?.(name);
  if (id) return id;
  const minLength = typeof node.minLength === 'number' ? node.minLength : 0;
  const maxLength = typeof node.maxLength === 'number' ? node.maxLength : 5_000;
  const fits = (value: string) => [...value].length >= minLength && [...value].length <= maxLength;
  switch (node.format) {
    case 'date-time':
      return dateTime;
    case 'uuid':
      return fc.uuid();
    case 'uri':
      return uri.filter(fits);
  }
  if (typeof node.pattern === 'string') return fc.stringMatching(new RegExp(node.pattern, 'u')).filter(fits);
  const any = fc.oneof(
    { weight: 8, arbitrary: text({ minLength, maxLength: Math.max(minLength, Math.min(maxLength, SHORT_TEXT)) }) },
    { weight: 1, arbitrary: fc.constant(repeated(maxLength)) },
  );
  // A recorded call to import: mostly one with speakers' prefixes, which the server can read.
  return name === 'conversation' ? fc.oneof({ weight: 3, arbitrary: transcript.filter(fits) }, { weight: 1, arbitrary: any }) : any;
}

function arrayFor(node: Schema, context: SchemaContext, name: string | undefined, depth: number): fc.Arbitrary<unknown[]> {
  // Items take the array's name, so that `scenario_ids` holds scenario ids.
  const item = arbitraryFor(node.items ?? {}, context, name, depth + 1);
  const minLength = typeof node.minItems === 'number' ? node.minItems : 0;
  const maxItems = typeof node.maxItems === 'number' ? node.maxItems : 50;
  const make = (maxLength: number, exact: boolean) => {
    const constraints = { minLength: exact ? maxLength : minLength, maxLength };
    return node.uniqueItems ? fc.uniqueArray(item, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(item, constraints);
  };
  const short = make(Math.max(minLength, Math.min(maxItems, SHORT_ITEMS)), false);
  // A unique array cannot always reach its maximum (an enum of 7 values caps it at 7).
  if (node.uniqueItems && maxItems > SHORT_ITEMS) return short;
  return fc.oneof({ weight: 9, arbitrary: short }, { weight: 1, arbitrary: make(maxItems, true) });
}

function objectFor(node: Schema, context: SchemaContext, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = (node.properties ?? {}) as Record<string, unknown>;
  const required = new Set((node.required ?? []) as string[]);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, value] of Object.entries(properties)) model[key] = arbitraryFor(value, context, key, depth + 1);
  const known = fc.record(model, { requiredKeys: Object.keys(properties).filter((key) => required.has(key)) });
  const extra = node.additionalProperties;
  if (extra === false || (extra === undefined && Object.keys(properties).length)) return known;
  const maxKeys = Math.min(typeof node.maxProperties === 'number' ? node.maxProperties - Object.keys(properties).length : 8, 8);
  if (maxKeys <= 0) return known;
  const pattern = (context.deref(node.propertyNames ?? {}) as Schema).pattern;
  const key = typeof pattern === 'string' ? fc.stringMatching(new RegExp(pattern, 'u')) : text({ maxLength: 20 });
  const value = extra === true || extra === undefined ? anyJson : arbitraryFor(extra, context, undefined, depth + 1);
  const extras = fc.dictionary(
    key.filter((k) => !(k in properties)),
    value,
    { maxKeys },
  );
  return fc.tuple(known, extras).map(([own, more]) => ({ ...more, ...own }));
}

function mergeAll(parts: Schema[]): Schema {
  const merged: Schema = { type: 'object', properties: {}, required: [] };
  for (const part of parts) {
    Object.assign(merged.properties as Schema, part.properties ?? {});
    (merged.required as string[]).push(...((part.required ?? []) as string[]));
    if (part.additionalProperties !== undefined) merged.additionalProperties = part.additionalProperties;
  }
  return merged;
}
