import type { FastifyRequest } from 'fastify';
import { escapePointer } from '@sims/spec/runtime';
import { invalid } from './errors.js';

/**
 * The deepest nesting of arrays and objects a request body may have, the root counting as level 1.
 * Deeper bodies are refused before anything walks them recursively: `JSON.stringify` (storing a
 * record, hashing an idempotent request) overflows the stack at a few thousand levels.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * The JSON pointer of the first array or object (in document order) nested deeper than `maxDepth` in
 * `text`, which must be valid JSON; undefined when there is none. Reads the text once, without
 * recursion, and remembers only the open containers' current index or key, so it costs a small part
 * of `JSON.parse` on any body (walking the parsed objects instead costs more than parsing them).
 */
export function tooDeep(text: string, maxDepth = MAX_JSON_DEPTH): string | undefined {
  // Per open container (level 0 is the root): an array's current index, or where an object's current key is written.
  const isArray: boolean[] = [];
  const index: number[] = [];
  const keyAt: number[] = [];
  const keyEnd: number[] = [];
  const expectKey: boolean[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        // Unreachable after JSON.parse accepted the text, but a scan must never start over.
        if (end < 0) return undefined;
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes += 1;
        if (backslashes % 2 === 0) break;
      }
      const level = depth - 1;
      if (level >= 0 && expectKey[level]) {
        keyAt[level] = i;
        keyEnd[level] = end + 1;
        expectKey[level] = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth += 1;
      if (depth > maxDepth) return pointer(text, depth - 1, isArray, index, keyAt, keyEnd);
      isArray[depth - 1] = c === OPEN_ARRAY;
      index[depth - 1] = 0;
      expectKey[depth - 1] = c === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth -= 1;
    } else if (c === COMMA) {
      if (isArray[depth - 1]) index[depth - 1]! += 1;
      else expectKey[depth - 1] = true;
    }
  }
  return undefined;
}

/** The pointer of the value inside the `levels` open containers, from their indexes and keys. */
function pointer(text: string, levels: number, isArray: boolean[], index: number[], keyAt: number[], keyEnd: number[]): string {
  let path = '';
  for (let level = 0; level < levels; level += 1) {
    path += `/${isArray[level] ? String(index[level]) : escapePointer(JSON.parse(text.slice(keyAt[level], keyEnd[level])) as string)}`;
  }
  return path;
}

/**
 * Fastify's content-type parser for `application/json`: an empty body is no body (a POST that takes
 * none may still say Content-Type: application/json); malformed JSON answers 400 and a body nested
 * deeper than `MAX_JSON_DEPTH` answers 422 naming the first value too deep.
 */
export function parseJsonBody(_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void): void {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') {
    done(null, undefined);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    return;
  }
  const deep = tooDeep(text);
  if (deep !== undefined) done(invalid('body', deep, `is nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
  else done(null, value);
}
