import type { Engine } from '../engine/types.js';
import type { AgentRecord, CaseRecord, DateRange, PageRequest, Storage } from '../storage/types.js';
import { notFound } from '../http/errors.js';
import { caseView } from './views.js';

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

/** Date filters as the ISO 8601 UTC strings records are stored with, so that they compare as text. */
export function dates(query: { start_date?: string; end_date?: string }): DateRange {
  const iso = (value: string | undefined) => (value === undefined ? undefined : new Date(value).toISOString());
  return { start_date: iso(query.start_date), end_date: iso(query.end_date) };
}

export async function agentOr404(deps: Deps, workspace_id: string, id: string): Promise<AgentRecord> {
  return found(await deps.storage.agents.get(workspace_id, id), 'Agent', id);
}

/** Case read-outs with their `base_agent` filled in, in one lookup. */
export async function caseViews(deps: Deps, workspace_id: string, cases: CaseRecord[]) {
  const agents = await deps.storage.agents.getMany(workspace_id, cases.flatMap((c) => (c.base_agent_id ? [c.base_agent_id] : [])));
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
