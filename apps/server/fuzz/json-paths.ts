import { IdRef } from './ids.js';

export type Segment = string | number;

/** Every node of a JSON value with its path, root first (walks at most `limit` nodes). */
export function nodes(value: unknown, limit = 500): Array<{ path: Segment[]; value: unknown }> {
  const found: Array<{ path: Segment[]; value: unknown }> = [];
  const queue: Array<{ path: Segment[]; value: unknown }> = [{ path: [], value }];
  while (queue.length && found.length < limit) {
    const next = queue.shift()!;
    found.push(next);
    const node = next.value;
    if (Array.isArray(node)) for (const [i, item] of node.entries()) queue.push({ path: [...next.path, i], value: item });
    else if (isObject(node)) for (const [key, item] of Object.entries(node)) queue.push({ path: [...next.path, key], value: item });
  }
  return found;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof IdRef);

/** A copy of `root` with the node at `path` replaced (or, with `remove`, deleted). */
export function setAt(root: unknown, path: Segment[], value: unknown, remove = false): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...root];
    if (rest.length || !remove) copy[head as number] = setAt(root[head as number], rest, value, remove);
    else copy.splice(head as number, 1);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(root as Record<string, unknown>) };
  if (!rest.length && remove) delete copy[head as string];
  // defineProperty, so that a key named `__proto__` becomes a field rather than the prototype.
  else
    Object.defineProperty(copy, head as string, {
      value: setAt(copy[head as string], rest, value, remove),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}

/** A JSON pointer for a path, array indices shown as-is (`/checks/3/kind`). */
export const pointer = (path: Segment[]) => path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (value instanceof IdRef) return 'string';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}
