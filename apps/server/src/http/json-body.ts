import type { FastifyRequest } from 'fastify';
import { escapePointer } from '@sims/spec/runtime';
import { ApiError, type FieldError, invalid, MAX_DETAILS, validationFailed } from './errors.js';

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
 * JSON's escape of U+0000, six characters. JSON refuses the raw character in its text, so a body
 * without these characters holds no NUL and costs one `includes` scan; a body with them (or with the
 * escaped backslash `\\u0000`, which is no NUL) has its parsed strings looked at.
 */
const NUL_ESCAPE = '\\u0000';

/** The message of a string holding U+0000 (NUL), which request text may not hold (spec/README.md). */
const NUL_MESSAGE = 'must not contain the character U+0000 (NUL)';

/**
 * Where U+0000 (NUL) is in `value`: the JSON pointer of each string holding it and of each member
 * whose name holds it, in document order, at most `limit`. Recursive: call it on values no deeper
 * than `MAX_JSON_DEPTH` (a body is checked for depth first; parameters are two levels at most).
 */
export function nulFields(value: unknown, limit = MAX_DETAILS, path = '', found: Array<{ field: string; message: string }> = []) {
  if (found.length >= limit) return found;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push({ field: path, message: NUL_MESSAGE });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length && found.length < limit; i += 1) nulFields(value[i], limit, `${path}/${i}`, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, member] of Object.entries(value)) {
      if (found.length >= limit) break;
      const field = `${path}/${escapePointer(key)}`;
      if (key.includes('\u0000')) found.push({ field, message: `has a name that ${NUL_MESSAGE}` });
      else nulFields(member, limit, field, found);
    }
  }
  return found;
}

/**
 * Fastify's content-type parser for `application/json`: an empty body is no body (a POST that takes
 * none may still say Content-Type: application/json); malformed JSON answers 400 and a body nested
 * deeper than `MAX_JSON_DEPTH` answers 422 naming the first value too deep; a string (key or value)
 * holding U+0000 answers 422 naming it (PostgreSQL's text cannot store the character).
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
  if (deep !== undefined) {
    done(invalid('body', deep, `is nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    return;
  }
  const nul = text.includes(NUL_ESCAPE) ? nulFields(value) : [];
  if (nul.length) done(validationFailed(nul.map((found): FieldError => ({ location: 'body', ...found }))), undefined);
  else done(null, value);
}

/**
 * The answer to a request whose path or query parameters hold U+0000 (NUL), which request text may
 * not hold; undefined for any other. `url` is the raw request target: a NUL can only arrive there
 * as `%00` (Node refuses the raw byte), so a request without it costs one `includes` scan. A path
 * parameter is an id, and no id holds a NUL: 404, as for any unknown id (the spec declares no 422
 * on reads and deletes by id). A query parameter, known to the operation or not, answers 422.
 */
export function nulInParameters(url: string, params: unknown, query: unknown): ApiError | undefined {
  if (!url.includes('%00')) return undefined;
  const [inPath] = nulFields(params, 1);
  if (inPath) {
    const name = inPath.field.slice(1);
    return new ApiError('not_found', `Nothing was found for the ${name} given: no id contains the character U+0000 (NUL).`);
  }
  const details = new Map<string, FieldError>();
  for (const { field, message } of nulFields(query)) {
    // A pointer into the query names the parameter in its first segment (a second is an index into repeats of it).
    const name = (field.split('/')[1] ?? '').replaceAll('~1', '/').replaceAll('~0', '~');
    details.set(`${name}\u0000${message}`, { location: 'query', field: name, message });
  }
  return details.size ? validationFailed([...details.values()]) : undefined;
}
