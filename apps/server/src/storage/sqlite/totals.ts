/**
 * List totals kept by triggers, so that a page's `total` is one row read, not a count of every
 * matching index entry (a count grows with history: about 1 ms per 15,000 runs, more than the rest
 * of the request). Kept for each list and the equality filters below, per workspace; lists with a
 * name search or a date window, or filtered beside a session or suite, are still counted.
 *
 * Migration 4 creates the table and the triggers from this declaration and fills the totals from the
 * rows already there: it is frozen with that migration, and a new kept total comes with a new one.
 */
export const KEPT_TOTALS = [
  { table: 'agents', by: [] },
  { table: 'scenarios', by: [] },
  { table: 'suites', by: [] },
  { table: 'suites', by: ['model_id'] },
  { table: 'cases', by: [] },
  { table: 'cases', by: ['type'] },
  { table: 'cases', by: ['suite_id'] },
  { table: 'sessions', by: [] },
  { table: 'sessions', by: ['target_agent_id'] },
  { table: 'simulations', by: [] },
  { table: 'simulations', by: ['status'] },
  { table: 'simulations', by: ['target_agent_id'] },
  { table: 'simulations', by: ['target_agent_id', 'status'] },
] as const satisfies ReadonlyArray<{ table: string; by: readonly string[] }>;

type Kept = (typeof KEPT_TOTALS)[number];

/** The name a total is stored under: `simulations by target_agent_id and status`. */
const listName = (kept: Kept) => (kept.by.length ? `${kept.table} by ${kept.by.join(' and ')}` : kept.table);

/** Where a total is kept for exactly these filter columns: its name and the columns in key order. */
export function keptTotal(table: string, columns: string[]): { list: string; by: readonly string[] } | undefined {
  const kept = KEPT_TOTALS.find((k) => k.table === table && k.by.length === columns.length && k.by.every((c) => columns.includes(c)));
  return kept && { list: listName(kept), by: kept.by };
}

/** SQL for a kept total's key in a trigger: `OLD`/`NEW` row values, '' for no filter or a NULL. */
const keyOf = (kept: Kept, row: 'OLD' | 'NEW') => [0, 1].map((i) => (kept.by[i] ? `coalesce(${row}.${kept.by[i]}, '')` : `''`));
const keys = (kept: Kept, row: 'OLD' | 'NEW') => keyOf(kept, row).join(', ');

/**
 * Where totals are kept: `list_totals` holds one per list and key; `list_day_totals` one per UTC day
 * besides (the day a row was created, the first ten characters of `created_at`, which is always
 * written by `toISOString()`).
 */
interface Keeping {
  into: 'list_totals' | 'list_day_totals';
  triggers: 'totals' | 'day_totals';
  kept: readonly Kept[];
  day: boolean;
}

function triggers({ into, kept: all, day, triggers: suffix }: Keeping, table: string): string {
  const kept = all.filter((k) => k.table === table);
  const key = day ? ', day' : '';
  const dayOf = (row: 'OLD' | 'NEW') => (day ? `, substr(${row}.created_at, 1, 10)` : '');
  const add = (row: 'NEW') => `INSERT INTO ${into} (workspace_id, list, key1, key2${key}, n) VALUES
      ${kept.map((k) => `(${row}.workspace_id, '${listName(k)}', ${keys(k, row)}${dayOf(row)}, 1)`).join(',\n      ')}
      ON CONFLICT (workspace_id, list, key1, key2${key}) DO UPDATE SET n = n + 1;`;
  const remove = (
    row: 'OLD',
  ) => `UPDATE ${into} SET n = n - 1 WHERE workspace_id = ${row}.workspace_id AND (list, key1, key2${key}) IN (VALUES
      ${kept.map((k) => `('${listName(k)}', ${keys(k, row)}${dayOf(row)})`).join(',\n      ')});`;
  const columns = [...new Set([...kept.flatMap((k) => k.by), ...(day ? ['created_at'] : [])])];
  // Only a change of a counted column moves a row between totals (a run's timeline appends do not).
  const changed = columns.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ');
  return `
    CREATE TRIGGER ${table}_${suffix}_insert AFTER INSERT ON ${table} BEGIN ${add('NEW')} END;
    CREATE TRIGGER ${table}_${suffix}_delete AFTER DELETE ON ${table} BEGIN ${remove('OLD')} END;
    ${
      columns.length
        ? `CREATE TRIGGER ${table}_${suffix}_update AFTER UPDATE OF ${columns.join(', ')} ON ${table} WHEN ${changed}
      BEGIN ${remove('OLD')} ${add('NEW')} END;`
        : ''
    }`;
}

/**
 * The delete and update triggers again, as one plain statement a total (migration 8). Those of
 * migrations 4 and 7 name the totals a row leaves as `(list, key1, key2) IN (VALUES …)`, which SQLite
 * evaluates afresh on every row inside a trigger: changing the status of 200 runs of a bench database
 * cost about 1.2 ms a run with them and 20–60 µs with these (in the engine bench, where the tables are
 * small, a run's update went from about 58 to 30–40 µs). Besides, a total now moves only when one of
 * its own columns changes: a run finishing moves the totals by status, not the others.
 */
function plainTriggers({ into, kept: all, day, triggers: suffix }: Keeping, table: string): string {
  const kept = all.filter((k) => k.table === table);
  const dayOf = (row: 'OLD' | 'NEW') => (day ? `, substr(${row}.created_at, 1, 10)` : '');
  const key = day ? ', day' : '';
  const columnsOf = (k: Kept) => [...k.by, ...(day ? ['created_at'] : [])];
  const add = (k: Kept) => `INSERT INTO ${into} (workspace_id, list, key1, key2${key}, n)
      VALUES (NEW.workspace_id, '${listName(k)}', ${keys(k, 'NEW')}${dayOf('NEW')}, 1)
      ON CONFLICT (workspace_id, list, key1, key2${key}) DO UPDATE SET n = n + 1;`;
  const remove = (k: Kept) => {
    const [key1, key2] = keyOf(k, 'OLD');
    return `UPDATE ${into} SET n = n - 1 WHERE workspace_id = OLD.workspace_id AND list = '${listName(k)}'
      AND key1 = ${key1} AND key2 = ${key2}${day ? ' AND day = substr(OLD.created_at, 1, 10)' : ''};`;
  };
  const updates = kept
    .filter((k) => columnsOf(k).length)
    .map((k) => {
      const columns = columnsOf(k);
      const changed = columns.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ');
      return `CREATE TRIGGER ${table}_${suffix}_update_${k.by.join('_') || 'all'} AFTER UPDATE OF ${columns.join(', ')} ON ${table}
      WHEN ${changed} BEGIN ${remove(k)} ${add(k)} END;`;
    });
  return `
    DROP TRIGGER ${table}_${suffix}_delete;
    CREATE TRIGGER ${table}_${suffix}_delete AFTER DELETE ON ${table} BEGIN ${kept.map(remove).join(' ')} END;
    ${updates.length ? `DROP TRIGGER ${table}_${suffix}_update;` : ''}
    ${updates.join('\n    ')}`;
}

function backfill({ into, day }: Keeping, kept: Kept): string {
  const key = (i: number) => (kept.by[i] ? `coalesce(${kept.by[i]}, '')` : `''`);
  return day
    ? `INSERT INTO ${into} (workspace_id, list, key1, key2, day, n)
    SELECT workspace_id, '${listName(kept)}', ${key(0)}, ${key(1)}, substr(created_at, 1, 10), count(*) FROM ${kept.table} GROUP BY 1, 3, 4, 5;`
    : `INSERT INTO ${into} (workspace_id, list, key1, key2, n)
    SELECT workspace_id, '${listName(kept)}', ${key(0)}, ${key(1)}, count(*) FROM ${kept.table} GROUP BY 1, 3, 4;`;
}

function keptSql(keeping: Keeping): string {
  return `
  CREATE TABLE ${keeping.into} (
    workspace_id TEXT NOT NULL,
    list TEXT NOT NULL,
    key1 TEXT NOT NULL,
    key2 TEXT NOT NULL,${keeping.day ? '\n    day TEXT NOT NULL,' : ''}
    n INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, list, key1, key2${keeping.day ? ', day' : ''})
  ) WITHOUT ROWID;
  ${keeping.kept.map((kept) => backfill(keeping, kept)).join('\n  ')}
  ${[...new Set(keeping.kept.map((k) => k.table))].map((table) => triggers(keeping, table)).join('\n')}
`;
}

export const keptTotalsSql = keptSql({ into: 'list_totals', triggers: 'totals', kept: KEPT_TOTALS, day: false });

/**
 * The lists with a date window that grow with history (runs and sessions) keep their totals per UTC
 * day as well (migration 7, frozen with it like migration 4): a window's total is then the sum of the
 * whole days inside it and a count of the rows of its first and last days only, whatever its width.
 */
const KEPT_DAY_TOTALS: readonly Kept[] = KEPT_TOTALS.filter((k) => k.table === 'sessions' || k.table === 'simulations');

export const keptDayTotalsSql = keptSql({ into: 'list_day_totals', triggers: 'day_totals', kept: KEPT_DAY_TOTALS, day: true });

/** Where a total is kept per day for exactly these filter columns. */
export function keptDayTotal(table: string, columns: string[]): { list: string; by: readonly string[] } | undefined {
  const kept = keptTotal(table, columns);
  return kept && KEPT_DAY_TOTALS.some((k) => k.table === table && listName(k) === kept.list) ? kept : undefined;
}

/** Migration 8: the delete and update triggers of migrations 4 and 7 replaced by plain ones (see `plainTriggers`). */
export const plainTotalsTriggersSql = [
  { into: 'list_totals', triggers: 'totals', kept: KEPT_TOTALS, day: false } as const,
  { into: 'list_day_totals', triggers: 'day_totals', kept: KEPT_DAY_TOTALS, day: true } as const,
]
  .flatMap((keeping) => [...new Set(keeping.kept.map((k) => k.table))].map((table) => plainTriggers(keeping, table)))
  .join('\n');

/**
 * Migration 8 also drops the insert triggers of `simulations` (the totals, the day totals and the run
 * number): runs are created a hundred at a time, and those three triggers cost about four times the
 * row's own INSERT (about 120 µs a run against 30 µs written out). `createRuns` adds to the totals
 * instead, one upsert per list, key and day of the batch: these are the counts to add.
 */
export function insertedTotals(
  table: string,
  rows: ReadonlyArray<Record<string, unknown> & { workspace_id: string; created_at: string }>,
): { totals: Array<[string, string, string, string, number]>; dayTotals: Array<[string, string, string, string, string, number]> } {
  const totals = new Map<string, [string, string, string, string, number]>();
  const dayTotals = new Map<string, [string, string, string, string, string, number]>();
  for (const row of rows) {
    for (const kept of KEPT_TOTALS) {
      if (kept.table !== table) continue;
      // As the triggers key them: coalesce(column, '') for each filter column, '' for none.
      const [key1, key2] = [0, 1].map((i) => (kept.by[i] ? String(row[kept.by[i]] ?? '') : ''));
      const list = listName(kept);
      const key = JSON.stringify([row.workspace_id, list, key1, key2]);
      const total = totals.get(key) ?? totals.set(key, [row.workspace_id, list, key1!, key2!, 0]).get(key)!;
      total[4] += 1;
      if (!KEPT_DAY_TOTALS.includes(kept)) continue;
      const day = row.created_at.slice(0, 10);
      const dayKey = JSON.stringify([row.workspace_id, list, key1, key2, day]);
      const dayTotal = dayTotals.get(dayKey) ?? dayTotals.set(dayKey, [row.workspace_id, list, key1!, key2!, day, 0]).get(dayKey)!;
      dayTotal[5] += 1;
    }
  }
  return { totals: [...totals.values()], dayTotals: [...dayTotals.values()] };
}
