import type {
  AgentRecord,
  ApiKeyRecord,
  CaseRecord,
  RunOutcome,
  ScenarioRecord,
  SessionRecord,
  SimulationRecord,
  SuiteRecord,
  DueDelivery,
  TimelineItem,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
} from './types.js';

/**
 * Rows as both storages read them, and the records they make: SQLite and PostgreSQL store the same
 * columns (JSON as text), so one mapper per record serves both.
 */
export type Row = Record<string, unknown>;

export const toAgent = (row: Row): AgentRecord => ({
  id: row.id as string,
  workspace_id: row.workspace_id as string,
  name: row.name as string,
  prompt: row.prompt as string,
  connector: JSON.parse(row.connector as string) as AgentRecord['connector'],
  agent_type: row.agent_type as AgentRecord['agent_type'],
  avatar_url: row.avatar_url as string | null,
  phone_number: row.phone_number as string | null,
  created_at: row.created_at as string,
  updated_at: row.updated_at as string,
  signing_secret: (row.signing_secret ?? null) as string | null,
  previous_signing_secret: (row.previous_signing_secret ?? null) as string | null,
  previous_signing_secret_expires_at: (row.previous_signing_secret_expires_at ?? null) as string | null,
});

export const toSuite = (row: Row): SuiteRecord => ({
  id: row.id as string,
  workspace_id: row.workspace_id as string,
  name: row.name as string,
  model_id: row.model_id as string,
  language: row.language as string,
  created_at: row.created_at as string,
  updated_at: row.updated_at as string,
});

export const toCase = (row: Row): CaseRecord => ({
  simulation_case_id: row.id as string,
  workspace_id: row.workspace_id as string,
  suite_id: row.suite_id as string | null,
  name: row.name as string,
  prompt: row.prompt as string,
  type: row.type as CaseRecord['type'],
  success_criteria: JSON.parse(row.success_criteria as string) as string[],
  call_success_type: row.call_success_type as CaseRecord['call_success_type'],
  checks: JSON.parse(row.checks as string) as CaseRecord['checks'],
  caller_turns: JSON.parse(row.caller_turns as string) as string[],
  tool_mocks: JSON.parse(row.tool_mocks as string) as CaseRecord['tool_mocks'],
  expected_agent_turns: JSON.parse(row.expected_agent_turns as string) as string[],
  base_agent_id: row.base_agent_id as string | null,
  created_at: row.created_at as string,
  updated_at: row.updated_at as string,
});

export const toScenario = (row: Row): ScenarioRecord => ({
  id: row.id as string,
  workspace_id: row.workspace_id as string,
  name: row.name as string,
  description: row.description as string,
  created_at: row.created_at as string,
  updated_at: row.updated_at as string,
});

export const toSession = (row: Row): SessionRecord => ({
  simulation_session_id: row.id as string,
  workspace_id: row.workspace_id as string,
  suite_id: row.suite_id as string | null,
  target_agent_id: row.target_agent_id as string | null,
  created_at: row.created_at as string,
  cancelled_at: (row.cancelled_at ?? null) as string | null,
});

export const toKey = (row: Row): ApiKeyRecord => ({
  id: row.id as string,
  workspace_id: row.workspace_id as string,
  name: row.name as string,
  prefix: row.prefix as string,
  created_at: row.created_at as string,
  revoked_at: row.revoked_at as string | null,
});

/** JSON text read out of a document, or null when the field is absent (SQL NULL). */
const parsedOrNull = <T>(text: unknown): T | null => (text === null || text === undefined ? null : (JSON.parse(text as string) as T));

/**
 * A simulation from its row: the document (`body`), with the iteration, status, usage and divergence
 * of their columns (null when not selected), the later of the row's and the last event's `updated_at`,
 * the timeline given, and `nulls` set to null in place (the fields a summary leaves out).
 */
export function toRecord(row: Row, timeline: TimelineItem[] | null, nulls: readonly string[] = []): SimulationRecord {
  const simulation = JSON.parse(row.body as string) as SimulationRecord;
  for (const field of nulls) (simulation as Record<string, unknown>)[field] = null;
  const last = row.last_event_at as string | null;
  simulation.iteration = row.iteration as number;
  simulation.status = row.status as SimulationRecord['status'];
  simulation.updated_at = last !== null && last > (row.updated_at as string) ? last : (row.updated_at as string);
  simulation.timeline = timeline;
  simulation.usage = parsedOrNull(row.usage);
  simulation.divergence = parsedOrNull(row.divergence);
  return simulation;
}

export const toSimulation = (row: Row): SimulationRecord =>
  toRecord(row, row.timeline === null ? [] : (JSON.parse(row.timeline as string) as TimelineItem[]));

/** What a simulation's row keeps in `body`: all but the columns (iteration, status, updated_at, usage, divergence) and the events. */
export const bodyOf = (s: SimulationRecord): string => {
  const {
    iteration: _iteration,
    status: _status,
    updated_at: _updated,
    timeline: _timeline,
    usage: _usage,
    divergence: _divergence,
    ...body
  } = s;
  return JSON.stringify(body);
};

/** A JSON column of a simulation as stored: its text, or NULL when null (or absent). */
export const jsonOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * A run's outcome from the columns both storages select for it (`sessions.outcomes`): the row's
 * columns, the document's fields read out in SQL (objects as JSON text), and the turns counted.
 */
export const toOutcome = (row: Row): RunOutcome => ({
  simulation_id: row.id as string,
  simulation_case_id: row.case_id as string,
  simulation_case_name: (row.simulation_case_name ?? null) as string | null,
  iteration: row.iteration as number,
  status: row.status as RunOutcome['status'],
  success_criteria: parsedOrNull(row.success_criteria),
  success_criteria_analysis: parsedOrNull(row.success_criteria_analysis),
  created_at: row.created_at as string,
  started_at: (row.started_at ?? null) as string | null,
  finished_at: (row.finished_at ?? null) as string | null,
  turns: Number(row.turns),
});

/**
 * The stored columns of a record, named as in the tables and in their order: what both storages
 * insert (the inverse of the mappers above). JSON columns are text on both.
 */
export const agentColumns = (a: AgentRecord): Row => ({
  id: a.id,
  workspace_id: a.workspace_id,
  name: a.name,
  prompt: a.prompt,
  connector: JSON.stringify(a.connector),
  agent_type: a.agent_type,
  avatar_url: a.avatar_url,
  phone_number: a.phone_number,
  created_at: a.created_at,
  updated_at: a.updated_at,
  signing_secret: a.signing_secret,
  previous_signing_secret: a.previous_signing_secret,
  previous_signing_secret_expires_at: a.previous_signing_secret_expires_at,
});

export const suiteColumns = (s: SuiteRecord): Row => ({
  id: s.id,
  workspace_id: s.workspace_id,
  name: s.name,
  model_id: s.model_id,
  language: s.language,
  created_at: s.created_at,
  updated_at: s.updated_at,
});

export const caseColumns = (c: CaseRecord): Row => ({
  id: c.simulation_case_id,
  workspace_id: c.workspace_id,
  suite_id: c.suite_id,
  name: c.name,
  prompt: c.prompt,
  type: c.type,
  success_criteria: JSON.stringify(c.success_criteria),
  call_success_type: c.call_success_type,
  checks: JSON.stringify(c.checks),
  caller_turns: JSON.stringify(c.caller_turns),
  tool_mocks: JSON.stringify(c.tool_mocks),
  expected_agent_turns: JSON.stringify(c.expected_agent_turns),
  base_agent_id: c.base_agent_id,
  created_at: c.created_at,
  updated_at: c.updated_at,
});

export const scenarioColumns = (s: ScenarioRecord): Row => ({
  id: s.id,
  workspace_id: s.workspace_id,
  name: s.name,
  description: s.description,
  created_at: s.created_at,
  updated_at: s.updated_at,
});

export const keyColumns = (k: ApiKeyRecord & { hash: string }): Row => ({
  id: k.id,
  workspace_id: k.workspace_id,
  name: k.name,
  prefix: k.prefix,
  hash: k.hash,
  created_at: k.created_at,
  revoked_at: k.revoked_at,
});

/** An endpoint's row: `event_types` as JSON text, `enabled` as 0 or 1 (on both storages, so the copy carries it as is). */
export const toWebhookEndpoint = (row: Row): WebhookEndpointRecord => ({
  id: row.id as string,
  workspace_id: row.workspace_id as string,
  url: row.url as string,
  event_types: JSON.parse(row.event_types as string) as WebhookEndpointRecord['event_types'],
  description: row.description as string | null,
  enabled: Number(row.enabled) === 1,
  disabled_reason: row.disabled_reason as string | null,
  secret: row.secret as string,
  previous_secret: row.previous_secret as string | null,
  previous_secret_expires_at: row.previous_secret_expires_at as string | null,
  failing_since: row.failing_since as string | null,
  created_at: row.created_at as string,
  updated_at: row.updated_at as string,
});

export const webhookEndpointColumns = (e: WebhookEndpointRecord): Row => ({
  id: e.id,
  workspace_id: e.workspace_id,
  url: e.url,
  event_types: JSON.stringify(e.event_types),
  description: e.description,
  enabled: e.enabled ? 1 : 0,
  disabled_reason: e.disabled_reason,
  secret: e.secret,
  previous_secret: e.previous_secret,
  previous_secret_expires_at: e.previous_secret_expires_at,
  failing_since: e.failing_since,
  created_at: e.created_at,
  updated_at: e.updated_at,
});

export const toWebhookDelivery = (row: Row): WebhookDeliveryRecord => ({
  id: row.id as string,
  workspace_id: row.workspace_id as string,
  endpoint_id: row.endpoint_id as string,
  event_id: row.event_id as string,
  event_type: row.event_type as WebhookDeliveryRecord['event_type'],
  status: row.status as WebhookDeliveryRecord['status'],
  attempt_count: Number(row.attempt_count),
  next_attempt_at: row.next_attempt_at as string | null,
  attempts: JSON.parse(row.attempts as string) as WebhookDeliveryRecord['attempts'],
  payload: JSON.parse(row.payload as string) as WebhookDeliveryRecord['payload'],
  created_at: row.created_at as string,
  updated_at: row.updated_at as string,
});

export const webhookDeliveryColumns = (d: WebhookDeliveryRecord): Row => ({
  id: d.id,
  workspace_id: d.workspace_id,
  endpoint_id: d.endpoint_id,
  event_id: d.event_id,
  event_type: d.event_type,
  status: d.status,
  attempt_count: d.attempt_count,
  next_attempt_at: d.next_attempt_at,
  attempts: JSON.stringify(d.attempts),
  payload: JSON.stringify(d.payload),
  created_at: d.created_at,
  updated_at: d.updated_at,
});

/** How many attempts a delivery keeps (the latest, newest first). */
export const KEPT_ATTEMPTS = 20;

/** What sending a claimed delivery needs of its endpoint, from the endpoint's columns `claimDue` joins to the delivery's row. */
export const toDueEndpoint = (row: Row): DueDelivery['endpoint'] => ({
  id: row.endpoint_id as string,
  url: row.url as string,
  secret: row.secret as string,
  previous_secret: row.previous_secret as string | null,
  previous_secret_expires_at: row.previous_secret_expires_at as string | null,
  failing_since: row.failing_since as string | null,
});
