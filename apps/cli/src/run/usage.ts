import type { Simulation, SimulationSession, SimulationUsage } from '@sims/client';

/** Shown for a run that made no model call (offline roles) or whose server reports no usage. */
const NO_TOKENS = '—';

const ROLES = ['persona', 'agent', 'judge', 'total'] as const;
const FIELDS = ['calls', 'prompt_tokens', 'completion_tokens', 'latency_ms'] as const;

/** `12345` → `12,345`, whatever the machine's locale, so that logs read the same everywhere. */
const count = (n: number) => n.toLocaleString('en-US');

/** The tokens of a run's model calls (prompt + completion, every role); undefined when it made none or its usage is not known. */
function tokensOf(usage: SimulationUsage | null | undefined): number | undefined {
  if (!usage || usage.total.calls === 0) return undefined;
  return usage.total.prompt_tokens + usage.total.completion_tokens;
}

/** A count in at most six characters, for a narrow cell: `9,999`, `12.3k`, `999.9k`, `1.2M`. */
export function compactCount(n: number): string {
  if (n < 10_000) return count(n);
  if (n < 999_950) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** The tokens of some runs together, for a table cell: `1,234`, `12.3k`, or `—` when none of them made a model call. */
export function tokensCell(usages: Array<SimulationUsage | null | undefined>): string {
  const tokens = usages.map(tokensOf).filter((n): n is number => n !== undefined);
  return tokens.length ? compactCount(tokens.reduce((a, b) => a + b, 0)) : NO_TOKENS;
}

/** The sum of usages, role by role and field by field. */
function sumUsage(usages: SimulationUsage[]): SimulationUsage {
  const sum = Object.fromEntries(ROLES.map((role) => [role, Object.fromEntries(FIELDS.map((field) => [field, 0]))])) as SimulationUsage;
  for (const usage of usages) for (const role of ROLES) for (const field of FIELDS) sum[role][field] += usage[role][field];
  return sum;
}

/**
 * A session's usage: the server's sum of its finished runs, or, from a server that sends none, the
 * sum of the runs that carry one; undefined when nothing reports usage (the reference API).
 */
export function sessionUsage(session: Pick<SimulationSession, 'usage'>, simulations: Simulation[]): SimulationUsage | undefined {
  if (session.usage) return session.usage;
  const known = simulations.map((s) => s.usage).filter((u): u is SimulationUsage => Boolean(u));
  return known.length ? sumUsage(known) : undefined;
}

/**
 * The line under a results table: `model usage: 12 calls, 3,456 tokens (3,000 prompt + 456
 * completion), 4.2 s model time (persona 4 calls, agent 6, judge 2)`; offline runs say so.
 */
export function usageLine(usage: SimulationUsage): string {
  const { total } = usage;
  if (total.calls === 0) return 'model usage: no model calls (offline)';
  const tokens = total.prompt_tokens + total.completion_tokens;
  const seconds = (total.latency_ms / 1000).toFixed(1);
  const roles = (['persona', 'agent', 'judge'] as const)
    .filter((role) => usage[role].calls > 0)
    .map((role, i) => `${role} ${count(usage[role].calls)}${i === 0 ? ` call${usage[role].calls === 1 ? '' : 's'}` : ''}`)
    .join(', ');
  return `model usage: ${count(total.calls)} call${total.calls === 1 ? '' : 's'}, ${count(tokens)} tokens (${count(total.prompt_tokens)} prompt + ${count(total.completion_tokens)} completion), ${seconds} s model time (${roles})`;
}
