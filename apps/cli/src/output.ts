import Table from 'cli-table3';
import { stringify as toYaml } from 'yaml';

/** Plain tables: no colours, so output reads the same in a terminal, a pipe and a CI log. */
export function plainTable(head: string[], options: { colWidths?: (number | null)[]; wordWrap?: boolean } = {}) {
  return new Table({ head, style: { head: [], border: [] }, ...options });
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/** One record: JSON with `--json`, else YAML, which reads well and shows nested fields. */
export function printRecord(value: unknown, json: boolean): void {
  if (json) printJson(value);
  else process.stdout.write(toYaml(value, { lineWidth: 0 }));
}

export interface Column<T> {
  head: string;
  value: (item: T) => unknown;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** Every item of a list: a JSON array with `--json`, else a table of the columns and a count. */
export async function printList<T>(
  items: AsyncIterable<T> | Iterable<T>,
  columns: Column<T>[],
  json: boolean,
  noun: string,
  plural = `${noun}s`,
): Promise<void> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  if (json) {
    printJson(all);
    return;
  }
  if (all.length > 0) {
    const table = plainTable(columns.map((c) => c.head));
    for (const item of all) table.push(columns.map((c) => cell(c.value(item))));
    print(table.toString());
  }
  print(`${all.length} ${all.length === 1 ? noun : plural}`);
}

export function printDeleted(kind: string, id: string, json: boolean): void {
  if (json) printJson({ deleted: true, kind, id });
  else print(`deleted ${kind} ${id}`);
}
