import type { Engine } from '../engine/types.js';
import type { AgentRecord, CaseRecord, DateRange, JsonText, PageRequest, Storage } from '../storage/types.js';
import { invalid, notFound } from '../http/errors.js';
import { caseView } from '../views.js';

export interface Deps {
  storage: Storage;
  engine: Engine;
  version: string;
  startedAt: string;
}

export const now = () => new Date().toISOString();

export function paging(query: { page_number?: number; page_size?: number }): PageRequest {
  return { page_number: query.page_number ?? 1, page_size: query.page_size ?? 10 };
}

/** A 200 answer in the spec's success envelope. */
export const ok = <T>(response: T) => ({ status: 200 as const, body: { status: 'ok' as const, response } });

/** `ok` for a response the storage wrote as JSON text. */
export const okText = <T>(response: JsonText<T>) => ({
  status: 200 as const,
  json: `{"status":"ok","response":${response}}` as JsonText<{ status: 'ok'; response: T }>,
});

/** A page as agents, scenarios and suites list it: the items, the total, and the page asked for. */
export const pageOf = <T>(items: T[], total: number, page: PageRequest) => ({ items, total, ...page });

/** A page as cases, simulations and sessions list it: the total, limit and offset, then the items. */
export const paginated = <T>(items: T[], total: number, page: PageRequest) => ({
  pagination: { total_records: total, limit: page.page_size, offset: (page.page_number - 1) * page.page_size },
  items,
});

/** `paginated` for items the storage wrote as JSON text: the text `JSON.stringify(paginated(…))` makes. */
export function paginatedText<T>(items: JsonText<T[]>, total: number, page: PageRequest) {
  const { pagination } = paginated([], total, page);
  return `{"pagination":${JSON.stringify(pagination)},"items":${items}}` as JsonText<ReturnType<typeof paginated<T>>>;
}

/** What ajv-formats accepts as `date-time`: RFC 3339, with `T`/`Z` in either case, any fraction, `±hh`, `±hhmm` or `±hh:mm`. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt\s](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;
/** `Date.UTC` reads years 0–99 as 1900–1999; 400 Gregorian years are exactly 146,097 days, so years are counted 400 later. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

/**
 * An RFC 3339 date-time as milliseconds since the epoch, and whether a part of a millisecond was left
 * over (`partial`); undefined when `text` is not one. Never throws.
 */
export function parseDateTime(text: string): { ms: number; partial: boolean } | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, secondText, fraction = '', sign, offsetHours = '0', offsetMinutes = '0'] = match;
  let second = Number(secondText);
  let milliseconds = Number(fraction.slice(0, 3).padEnd(3, '0'));
  let partial = /[1-9]/.test(fraction.slice(3));
  if (second >= 60) {
    // A leap second (23:59:60, or its local equivalent) comes after every instant of :59 in its minute
    // and before the next minute, which a Date cannot hold: it sorts as just after :59.999.
    second = 59;
    milliseconds = 999;
    partial = true;
  }
  const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  const ms =
    Date.UTC(Number(year) + 400, Number(month) - 1, Number(day), Number(hour), Number(minute) - offset, second, milliseconds) -
    FOUR_CENTURIES_MS;
  return { ms, partial };
}

/** Records are stored with 4-digit years; a bound outside them (an offset can carry 0000 or 9999 over) is clamped. */
const EARLIEST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Date filters as the ISO 8601 UTC strings records are stored with (millisecond precision), so that
 * they compare as text: `start_date` rounds up and `end_date` down to the millisecond, which keeps
 * `created_at >= start_date` and `created_at <= end_date` exact.
 */
export function dates(query: { start_date?: string; end_date?: string }): DateRange {
  const bound = (name: 'start_date' | 'end_date', roundUp: boolean) => {
    const text = query[name];
    if (text === undefined) return undefined;
    const parsed = parseDateTime(text);
    if (!parsed) throw invalid('query', name, 'must match format "date-time"');
    const ms = parsed.ms + (roundUp && parsed.partial ? 1 : 0);
    return new Date(Math.min(Math.max(ms, EARLIEST_MS), LATEST_MS)).toISOString();
  };
  return { start_date: bound('start_date', true), end_date: bound('end_date', false) };
}

export async function agentOr404(deps: Deps, workspace_id: string, id: string): Promise<AgentRecord> {
  return found(await deps.storage.agents.get(workspace_id, id), 'Agent', id);
}

/** Case read-outs with their `base_agent` filled in, in one lookup. */
export async function caseViews(deps: Deps, workspace_id: string, cases: CaseRecord[]) {
  const agents = await deps.storage.agents.getMany(
    workspace_id,
    cases.flatMap((c) => (c.base_agent_id ? [c.base_agent_id] : [])),
  );
  return cases.map((c) => caseView(c, agents));
}

/** The fields of a partial update that change something: omitted and `null` keep their value. */
export function changes<T extends object, K extends keyof T>(body: T, keys: K[]): { [P in K]?: NonNullable<T[P]> } {
  const out: { [P in K]?: NonNullable<T[P]> } = {};
  for (const key of keys) {
    const value = body[key];
    if (value !== undefined && value !== null) out[key] = value as NonNullable<T[K]>;
  }
  return out;
}

/** The record, or a 404 naming what was not found. */
export function found<T>(record: T | undefined, what: string, id: string): T {
  if (record === undefined) throw notFound(what, id);
  return record;
}
