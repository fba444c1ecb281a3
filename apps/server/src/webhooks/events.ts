import { randomBytes, randomUUID } from 'node:crypto';
import type { components } from '@sims/api-types';
import { rateOf } from '../reports/figures.js';
import type { Row } from '../storage/rows.js';
import type {
  SessionCounters,
  SessionRecord,
  SimulationRecord,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
  WebhookEvent,
  WebhookEventType,
} from '../storage/types.js';

/**
 * The events of the outbox (issue 13; spec/README.md "Webhooks"): what `simulations.finish`,
 * `simulations.cancel` and `sessions.cancel` of both storages write, in their own transaction, as
 * deliveries. The storages read what an event needs with their own SQL; the payloads, the event ids
 * and the delivery rows are made here, once for both.
 */
type Schemas = components['schemas'];

export const EVENT_TYPES: WebhookEventType[] = ['simulation.completed', 'simulation.failed', 'session.completed', 'session.cancelled'];

/** An event's id, the `webhook-id` of every attempt to every endpoint: `msg_` + 32 hex digits. */
export const eventId = (): string => `msg_${randomBytes(16).toString('hex')}`;

/** An enabled endpoint as the outbox needs it: which events it takes. */
export type Subscriber = Pick<WebhookEndpointRecord, 'id' | 'event_types'>;

export const toSubscriber = (row: Row): Subscriber => ({
  id: row.id as string,
  event_types: JSON.parse(row.event_types as string) as WebhookEventType[],
});

/** Whether any of the endpoints takes events of this type. */
export const wanted = (subscribers: Subscriber[], type: WebhookEventType): boolean => subscribers.some((s) => s.event_types.includes(type));

/** A finished run's row (its status and iteration columns, its document) as its events carry it. */
export function simulationEvent(row: Row, at: string): WebhookEvent {
  const run = JSON.parse(row.body as string) as SimulationRecord;
  const status = row.status as SimulationRecord['status'];
  const data: Schemas['WebhookSimulationData'] = {
    simulation_id: run.simulation_id,
    simulation_session_id: run.simulation_session_id,
    simulation_case_id: run.simulation_case_id,
    simulation_case_name: run.simulation_case_name ?? null,
    target_agent_id: run.target_agent_id,
    workspace_id: run.workspace_id,
    status,
    success: status === 'completed' ? (run.success_criteria_analysis?.success ?? null) : null,
    iteration: row.iteration as number,
    error_info: run.error_info ?? null,
    finished_at: run.finished_at ?? at,
  };
  return status === 'completed'
    ? { type: 'simulation.completed', timestamp: at, data }
    : { type: 'simulation.failed', timestamp: at, data };
}

/** Whether a completed run passed, as the session report counts it: its analysis says `success: true`. */
export function passes(body: string): boolean {
  return (JSON.parse(body) as SimulationRecord).success_criteria_analysis?.success === true;
}

/**
 * A session's event with its counters; `passed` counts its completed runs that passed, and the pass
 * rate is over its finished runs, as the session report computes them.
 */
export function sessionEvent(
  type: 'session.completed' | 'session.cancelled',
  session: SessionRecord,
  counters: SessionCounters,
  passed: number,
  at: string,
): WebhookEvent {
  const data: Schemas['WebhookSessionData'] = {
    simulation_session_id: session.simulation_session_id,
    suite_id: session.suite_id,
    target_agent_id: session.target_agent_id,
    workspace_id: session.workspace_id,
    ...counters,
    passed_simulations: passed,
    pass_rate: rateOf(passed, counters.completed_simulations + counters.failed_simulations),
    cancelled_at: session.cancelled_at,
  };
  return { type, timestamp: at, data };
}

/**
 * The deliveries of events: one per event and endpoint subscribed to its type, each event with one
 * id for all its deliveries, pending and due at `at` (the change's time), with no attempt yet.
 */
export function deliveriesOf(workspace_id: string, subscribers: Subscriber[], events: WebhookEvent[], at: string): WebhookDeliveryRecord[] {
  const deliveries: WebhookDeliveryRecord[] = [];
  for (const payload of events) {
    const event_id = eventId();
    for (const endpoint of subscribers) {
      if (!endpoint.event_types.includes(payload.type)) continue;
      deliveries.push({
        id: randomUUID(),
        workspace_id,
        endpoint_id: endpoint.id,
        event_id,
        event_type: payload.type,
        status: 'pending',
        attempt_count: 0,
        next_attempt_at: at,
        attempts: [],
        payload,
        created_at: at,
        updated_at: at,
      });
    }
  }
  return deliveries;
}
