/**
 * Read-outs written as JSON text in SQL: a page of them is one string from one statement, with no
 * row objects made, parsed and serialised again in JavaScript. Each writes the very text that
 * `JSON.stringify` of the read-out function of `views.ts` writes (pinned by test/postgres-case-reads.test.ts):
 * the same keys in the same order, strings quoted by `json_quote` (which escapes as `JSON.stringify`
 * does), JSON columns (stored by `JSON.stringify`) inserted as they are. One `printf` writes an object:
 * a chain of `||` would copy the growing text once per field.
 */

/** A field: its name, the SQL of its value, and whether that value is JSON text already (else quoted). */
type Field = [name: string, sql: string, kind?: 'json'];

/** SQL of a JSON object with these fields, in this order (names are plain identifiers: no quote or `%` to escape). */
function jsonObject(fields: Field[]): string {
  const format = fields.map(([name], i) => `${i ? ',' : ''}"${name}":%s`).join('');
  const values = fields.map(([, sql, kind]) => (kind === 'json' ? sql : `json_quote(${sql})`));
  return `printf('{${format}}', ${values.join(', ')})`;
}

/** `baseAgent` of views.ts, from the agents row `a` (see `JOIN_BASE_AGENT`). */
const BASE_AGENT = jsonObject([
  ['model_id', 'a.agent_id'],
  ['agent_name', 'a.agent_name'],
  ['agent_type', 'a.agent_type'],
  ['voice_engine_type', "a.agent_connector ->> '$.kind'"],
  ['phone_number', 'a.agent_phone_number'],
  ['updated_at', 'a.agent_updated_at'],
  ['image_url', 'a.agent_avatar_url'],
]);

/** `caseReadOut` of views.ts, from the cases row `c` and its base agent's row `a` (all null when it has none). */
export const CASE_READ_OUT = jsonObject([
  ['simulation_case_id', 'c.id'],
  ['workspace_id', 'c.workspace_id'],
  ['suite_id', 'c.suite_id'],
  ['name', 'c.name'],
  ['prompt', 'c.prompt'],
  ['type', 'c.type'],
  ['success_criteria', 'c.success_criteria', 'json'],
  ['call_success_type', 'c.call_success_type'],
  ['checks', 'c.checks', 'json'],
  ['caller_turns', 'c.caller_turns', 'json'],
  ['tool_mocks', 'c.tool_mocks', 'json'],
  ['expected_agent_turns', 'c.expected_agent_turns', 'json'],
  ['base_agent', `CASE WHEN a.agent_id IS NULL THEN 'null' ELSE ${BASE_AGENT} END`, 'json'],
  ['created_at', 'c.created_at'],
  ['updated_at', 'c.updated_at'],
]);

/**
 * The base agent of the case row `c`, joined as `a` with its columns renamed, so that a filter on the
 * cases' own columns (`workspace_id`, `name`, `created_at`…) may name them alone. SQLite flattens the
 * renaming subquery: the join is one lookup by the agents' primary key.
 */
export const JOIN_BASE_AGENT = `LEFT JOIN (SELECT id AS agent_id, workspace_id AS agent_workspace_id, name AS agent_name, agent_type,
    connector AS agent_connector, phone_number AS agent_phone_number, updated_at AS agent_updated_at, avatar_url AS agent_avatar_url
  FROM agents) a ON a.agent_workspace_id = c.workspace_id AND a.agent_id = c.base_agent_id`;
