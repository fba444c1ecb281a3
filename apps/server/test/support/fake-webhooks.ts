import { randomBytes, randomUUID } from 'node:crypto';
import type { Storage, WebhookDeliveryRecord, WebhookEndpointRecord, WebhookEvent } from '../../src/storage/types.js';

/** A secret as the server makes them: `whsec_` + base64 of 32 random bytes. */
export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** A `session.cancelled` event, the smallest payload of the spec. */
export function sessionEvent(at = new Date().toISOString()): WebhookEvent {
  return {
    type: 'session.cancelled',
    timestamp: at,
    data: {
      simulation_session_id: randomUUID(),
      suite_id: null,
      target_agent_id: null,
      workspace_id: 'ws_test',
      total_simulations: 2,
      completed_simulations: 1,
      failed_simulations: 1,
      pending_simulations: 0,
      passed_simulations: 1,
      pass_rate: 0.5,
      cancelled_at: at,
    },
  } as WebhookEvent;
}

/**
 * The two dispatcher methods of `Storage.webhooks` over maps, with the semantics the interface
 * documents (a lease on claim; recordAttempt keeps 20 attempts, sets or clears `failing_since`,
 * disables in the same step), for the dispatcher's unit tests before and apart from the real storages.
 */
export class FakeWebhooks {
  readonly endpoints = new Map<string, WebhookEndpointRecord>();
  readonly deliveries = new Map<string, WebhookDeliveryRecord>();

  addEndpoint(url: string, patch: Partial<WebhookEndpointRecord> = {}): WebhookEndpointRecord {
    const at = new Date().toISOString();
    const endpoint: WebhookEndpointRecord = {
      id: randomUUID(),
      workspace_id: 'ws_test',
      url,
      event_types: ['session.cancelled'],
      description: null,
      enabled: true,
      disabled_reason: null,
      created_at: at,
      updated_at: at,
      secret: newSecret(),
      previous_secret: null,
      previous_secret_expires_at: null,
      failing_since: null,
      ...patch,
    };
    this.endpoints.set(endpoint.id, endpoint);
    return endpoint;
  }

  addDelivery(endpoint: WebhookEndpointRecord, payload: WebhookEvent = sessionEvent()): WebhookDeliveryRecord {
    const at = new Date().toISOString();
    const delivery: WebhookDeliveryRecord = {
      id: randomUUID(),
      workspace_id: endpoint.workspace_id,
      endpoint_id: endpoint.id,
      event_id: `msg_${randomBytes(16).toString('hex')}`,
      event_type: payload.type,
      status: 'pending',
      attempt_count: 0,
      next_attempt_at: at,
      attempts: [],
      payload,
      created_at: at,
      updated_at: at,
    };
    this.deliveries.set(delivery.id, delivery);
    return delivery;
  }

  /** As `Storage['webhooks']`; only the dispatcher's methods answer. */
  asStorage(): Storage['webhooks'] {
    const unused = () => Promise.reject(new Error('not used by the dispatcher'));
    return {
      create: unused,
      get: unused,
      list: unused,
      update: unused,
      delete: unused,
      deliveries: unused,
      redeliver: unused,
      claimDue: async (now, limit, leaseMs) => {
        const due = [...this.deliveries.values()]
          .filter((d) => d.status === 'pending' && d.next_attempt_at !== null && d.next_attempt_at <= now)
          .filter((d) => this.endpoints.get(d.endpoint_id)?.enabled)
          .sort((a, b) => (a.next_attempt_at ?? '').localeCompare(b.next_attempt_at ?? ''))
          .slice(0, limit);
        return due.map((delivery) => {
          delivery.next_attempt_at = new Date(Date.parse(now) + leaseMs).toISOString();
          const endpoint = this.endpoints.get(delivery.endpoint_id)!;
          return {
            delivery: structuredClone(delivery),
            endpoint: {
              id: endpoint.id,
              url: endpoint.url,
              secret: endpoint.secret,
              previous_secret: endpoint.previous_secret,
              previous_secret_expires_at: endpoint.previous_secret_expires_at,
              failing_since: endpoint.failing_since,
            },
          };
        });
      },
      recordAttempt: async (id, attempt, outcome, disable) => {
        const delivery = this.deliveries.get(id);
        if (!delivery) return false;
        delivery.attempts = [attempt, ...delivery.attempts].slice(0, 20);
        delivery.attempt_count += 1;
        delivery.status = outcome.status === 'retry' ? 'pending' : outcome.status;
        delivery.next_attempt_at = outcome.status === 'retry' ? outcome.next_attempt_at : null;
        delivery.updated_at = attempt.attempted_at;
        const endpoint = this.endpoints.get(delivery.endpoint_id)!;
        endpoint.failing_since = outcome.status === 'delivered' ? null : (endpoint.failing_since ?? attempt.attempted_at);
        if (disable) Object.assign(endpoint, { enabled: false, disabled_reason: disable.reason });
        return true;
      },
    };
  }
}
