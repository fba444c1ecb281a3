import type { SimulationUsage } from './types.js';
import type { Row } from './rows.js';

/**
 * A session's usage (issue 14): the sum of its finished runs' `usage` columns, per role and field,
 * summed in SQL with the session's counters (one pass over its runs). Runs not finished have a null
 * `usage` and add nothing; a session with none finished sums to zeros. The column holds numbers only,
 * so PostgreSQL's `json` operators read it safely (see migrations.ts on NUL, which only texts can hold).
 */
const ROLES = ['persona', 'agent', 'judge', 'total'] as const;
const FIELDS = ['calls', 'prompt_tokens', 'completion_tokens', 'latency_ms'] as const;

/** A usage with nothing counted. */
export const noUsage = (): SimulationUsage => {
  const none = () => ({ calls: 0, prompt_tokens: 0, completion_tokens: 0, latency_ms: 0 });
  return { persona: none(), agent: none(), judge: none(), total: none() };
};

/** The select list of the sums, `usage_<role>_<field>`, each written by `read` for one role and field (a SQL number or NULL). */
const usageSumsSql = (read: (role: string, field: string) => string): string =>
  ROLES.flatMap((role) => FIELDS.map((field) => `sum(${read(role, field)}) AS usage_${role}_${field}`)).join(', ');

/** SQLite: a field of the `usage` column. */
export const SQLITE_USAGE_SUMS = usageSumsSql((role, field) => `usage ->> '$.${role}.${field}'`);

/** PostgreSQL: a field of the `usage` column (text holding JSON). */
export const POSTGRES_USAGE_SUMS = usageSumsSql((role, field) => `(usage::json #>> '{${role},${field}}')::bigint`);

/** The usage from the sums of a row (`usageSumsSql`); a sum over no finished run (NULL) is zero. */
export function toUsageSums(row: Row | undefined): SimulationUsage {
  const usage = noUsage();
  if (!row) return usage;
  for (const role of ROLES) for (const field of FIELDS) usage[role][field] = Number(row[`usage_${role}_${field}`] ?? 0);
  return usage;
}
