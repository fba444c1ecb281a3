import type { components } from '@sims/api-types';
import type { AgentRecord, CaseRecord, SessionView, SuiteRecord, WebhookDeliveryRecord, WebhookEndpointRecord } from './storage/types.js';

/** Records → the read models of the spec. Only the fields the spec declares, never more. */
type Schemas = components['schemas'];

/** Tool rounds an `openai` agent's turn may take when its connector does not say (the spec's default). */
export const DEFAULT_MAX_TOOL_ROUNDS = 3;

function baseAgent(agent: AgentRecord): Schemas['SimulationCaseReadOutBaseAgent'] {
  return {
    model_id: agent.id,
    agent_name: agent.name,
    agent_type: agent.agent_type,
    voice_engine_type: agent.connector.kind,
    phone_number: agent.phone_number,
    updated_at: agent.updated_at,
    image_url: agent.avatar_url,
  };
}

/** The connector as read back: header values and API keys are never answered. */
function connectorView(connector: AgentRecord['connector']): Schemas['AgentConnector'] {
  switch (connector.kind) {
    case 'http':
      return {
        kind: 'http',
        url: connector.url,
        header_names: Object.keys(connector.headers ?? {}),
        timeout_ms: connector.timeout_ms ?? null,
      };
    case 'openai':
      return {
        kind: 'openai',
        base_url: connector.base_url,
        model: connector.model,
        api_key_set: Boolean(connector.api_key),
        timeout_ms: connector.timeout_ms ?? null,
        tools: connector.tools ?? [],
        max_tool_rounds: connector.max_tool_rounds ?? DEFAULT_MAX_TOOL_ROUNDS,
      };
    default:
      return connector;
  }
}

/** An agent as read: the fields of the read-out one by one, so its signing secrets are never answered. */
export function agentView(agent: AgentRecord): Schemas['AgentReadOut'] {
  return {
    id: agent.id,
    workspace_id: agent.workspace_id,
    name: agent.name,
    prompt: agent.prompt,
    connector: connectorView(agent.connector),
    agent_type: agent.agent_type,
    avatar_url: agent.avatar_url,
    phone_number: agent.phone_number,
    created_at: agent.created_at,
    updated_at: agent.updated_at,
  };
}

function agentListItem(agent: AgentRecord | undefined): Schemas['AgentListItem'] | null {
  return agent ? { id: agent.id, name: agent.name, avatar: agent.avatar_url } : null;
}

export function caseView(record: CaseRecord, agents: Map<string, AgentRecord>): Schemas['SimulationCaseReadOut'] {
  return caseReadOut(record, record.base_agent_id ? agents.get(record.base_agent_id) : undefined);
}

/** A case read-out from the case and its base agent (undefined when it has none). */
export function caseReadOut(record: CaseRecord, agent: AgentRecord | undefined): Schemas['SimulationCaseReadOut'] {
  return {
    simulation_case_id: record.simulation_case_id,
    workspace_id: record.workspace_id,
    suite_id: record.suite_id,
    name: record.name,
    prompt: record.prompt,
    type: record.type,
    success_criteria: record.success_criteria,
    call_success_type: record.call_success_type,
    checks: record.checks,
    caller_turns: record.caller_turns,
    tool_mocks: record.tool_mocks,
    expected_agent_turns: record.expected_agent_turns,
    base_agent: agent ? baseAgent(agent) : null,
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}

export function suiteView(
  suite: SuiteRecord,
  cases: Schemas['SimulationCaseReadOut'][],
  agent: AgentRecord | undefined,
): Schemas['SimulationSuiteReadOut'] {
  return {
    id: suite.id,
    name: suite.name,
    model_id: suite.model_id,
    workspace_id: suite.workspace_id,
    language: suite.language,
    cases,
    agent: agentListItem(agent),
    created_at: suite.created_at,
    updated_at: suite.updated_at,
  };
}

export function suiteListItem(suite: SuiteRecord, cases: CaseRecord[], agent: AgentRecord | undefined): Schemas['SimulationSuiteListItem'] {
  return {
    id: suite.id,
    name: suite.name,
    model_id: suite.model_id,
    workspace_id: suite.workspace_id,
    language: suite.language,
    created_at: suite.created_at,
    updated_at: suite.updated_at,
    case_summaries: cases.map((c) => ({ simulation_case_id: c.simulation_case_id, name: c.name })),
    agent: agentListItem(agent),
  };
}

export function sessionView(session: SessionView): Schemas['SimulationSessionReadOut'] {
  return {
    simulation_session_id: session.simulation_session_id,
    simulations: session.simulations,
    total_simulations: session.total_simulations,
    completed_simulations: session.completed_simulations,
    failed_simulations: session.failed_simulations,
    pending_simulations: session.pending_simulations,
    suite_id: session.suite_id,
    target_agent_id: session.target_agent_id,
    created_at: session.created_at,
    usage: session.usage,
    cancelled_at: session.cancelled_at,
  };
}

/** An endpoint as read: never its secrets, nor when it started failing (which the dispatcher keeps). */
export function webhookEndpointView(endpoint: WebhookEndpointRecord): Schemas['WebhookEndpointReadOut'] {
  return {
    id: endpoint.id,
    url: endpoint.url,
    event_types: endpoint.event_types,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabled_reason,
    created_at: endpoint.created_at,
    updated_at: endpoint.updated_at,
  };
}

export function webhookDeliveryView(delivery: WebhookDeliveryRecord): Schemas['WebhookDelivery'] {
  return {
    id: delivery.id,
    endpoint_id: delivery.endpoint_id,
    event_id: delivery.event_id,
    event_type: delivery.event_type,
    status: delivery.status,
    attempt_count: delivery.attempt_count,
    next_attempt_at: delivery.next_attempt_at,
    attempts: delivery.attempts,
    payload: delivery.payload,
    created_at: delivery.created_at,
    updated_at: delivery.updated_at,
  };
}
