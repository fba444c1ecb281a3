import { randomUUID } from 'node:crypto';
import type { SessionRecord, SimulationRecord, TimelineItem } from '../../src/storage/types.js';

/** A session of workspace `ws` made `at`, of no suite, aimed at `agent-1`; `extra` overrides any field. */
export const sessionRecord = (ws: string, at: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  simulation_session_id: randomUUID(),
  workspace_id: ws,
  suite_id: null,
  target_agent_id: 'agent-1',
  created_at: at,
  cancelled_at: null,
  ...extra,
});

/**
 * Run records for storage tests: run `n` of `session`, queued (in progress, nothing started), with
 * the session's workspace, target agent and creation time, and odd runs carrying custom variables
 * with non-ASCII text; `extra` overrides any field.
 */
export const runOf = (session: SessionRecord, n: number, extra: Partial<SimulationRecord> = {}): SimulationRecord =>
  ({
    simulation_id: randomUUID(),
    simulation_session_id: session.simulation_session_id,
    simulation_case_id: `case-${n}`,
    simulation_case_name: `Case ${n}`,
    simulation_case_prompt: `Prompt ${n}`,
    success_criteria: ['Hours given', 'Polite'],
    call_success_type: 'all',
    persona_agent_id: null,
    persona_phone_number: null,
    target_agent_id: session.target_agent_id ?? 'agent-1',
    agent_name: 'Nora',
    agent_avatar_url: null,
    target_phone_number: null,
    target_call_id: null,
    custom_variables: n % 2 ? { shop: 'Nörthwind', n } : null,
    status: 'in-progress',
    workspace_id: session.workspace_id,
    created_at: session.created_at,
    updated_at: session.created_at,
    error_info: null,
    recording_url: null,
    timeline: [],
    success_criteria_analysis: null,
    max_turns: 20,
    iteration: 1,
    started_at: null,
    finished_at: null,
    usage: null,
    divergence: null,
    ...extra,
  }) as SimulationRecord;

/** Timeline message `i` at `at`, with text JSON must escape; persona and agent alternate unless told. */
export const eventAt = (i: number, at: string, sender_type: TimelineItem['sender_type'] = i % 2 ? 'agent' : 'persona'): TimelineItem => ({
  sender_type,
  type: 'message',
  value: `turn ${i} — «ünïcödé» "quoted" \\ back\nslash`,
  timestamp: (i * 0.5).toFixed(3),
  timestamp_datetime: at,
});
