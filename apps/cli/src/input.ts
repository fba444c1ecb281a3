import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from './errors.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The text of a file, or of standard input for `-`; a file that cannot be read is a usage error. */
export async function readInputText(path: string): Promise<string> {
  try {
    return path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * Reads a request body from a JSON or YAML file (`-` for standard input). YAML is a superset of
 * JSON, so one parser reads both; the extension only sharpens the error message.
 */
async function readBodyFile(path: string): Promise<Record<string, unknown>> {
  const text = await readInputText(path);
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new UsageError(`cannot parse ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${path} must hold one object (the request body)`);
  }
  return value as Record<string, unknown>;
}

/**
 * The body of a create or update: the file's fields (when `--file` is given), overridden by the
 * fields given as flags. Flags left out are not sent, so an update changes only what is named.
 */
export async function buildBody<T>(file: string | undefined, fromFlags: Record<string, unknown>): Promise<T> {
  const base = file ? await readBodyFile(file) : {};
  const flags = Object.fromEntries(Object.entries(fromFlags).filter(([, v]) => v !== undefined));
  return { ...base, ...flags } as T;
}

/** Requires the fields a create needs, naming the flags that provide them. */
export function requireFields(body: Record<string, unknown>, fields: Record<string, string>): void {
  const missing = Object.entries(fields).filter(([field]) => body[field] === undefined || body[field] === null);
  if (missing.length > 0) {
    throw new UsageError(
      `missing ${missing.map(([field, flag]) => `${flag} (${field})`).join(', ')}: give the flag or put the field in --file`,
    );
  }
}

export function parseInteger(name: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new UsageError(`${name} must be an integer, got ${value}`);
    return Number(value);
  };
}

/** For repeatable flags: `--criterion a --criterion b`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--var name=value`, repeatable, into an object map. */
export function collectPair(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new UsageError(`expected name=value, got ${value}`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}
