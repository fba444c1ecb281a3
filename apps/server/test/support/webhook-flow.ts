import type { components } from '@sims/api-types';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { type RunningServer, startServer } from '../../src/server.js';
import type { ApiClient } from './server.js';
import { tempDir } from './server.js';
import { type ReceivedWebhook, until } from './webhook-receiver.js';

type WebhookEvent = components['schemas']['WebhookEvent'];
type WebhookDelivery = components['schemas']['WebhookDelivery'];

/**
 * The environment of a server whose deliveries are quick to test: loopback receivers allowed (as
 * the engine's tests allow them), polled every 20 ms, retried after 100 ms (eight attempts as in
 * production), a 2 s time-out (a lease of 12 s).
 */
export function webhookEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SIMS_ALLOW_PRIVATE_NETWORKS: 'true',
    SIMS_WEBHOOK_POLL_MS: '20',
    SIMS_WEBHOOK_RETRY_DELAYS_MS: '100,100,100,100,100,100,100',
    SIMS_WEBHOOK_TIMEOUT_MS: '2000',
    SIMS_LOG_LEVEL: 'silent',
    SIMS_RATE_LIMIT_MAX: '0',
    ...extra,
  };
}

/** A server in this process configured from `env` as `sims-server` configures itself, on a free loopback port. */
export async function startWebhookServer(env: Record<string, string>): Promise<RunningServer & { key: string }> {
  const server = await startServer(configFromEnv({ SIMS_DATA_DIR: await tempDir(), PORT: '0', ...env }));
  return Object.assign(server, { key: server.firstStart?.key ?? '' });
}

/** Creates an endpoint for every event type; answers it with its secret (shown this once). */
export async function createEndpoint(api: ApiClient, url: string) {
  const created = await api.POST('/webhook_endpoints', { body: { url, description: 'test receiver' } });
  expect(created.response.status).toBe(200);
  return created.data!.response;
}

/** A builtin agent and a suite of `cases` quick cases; answers what `runSuite` needs. */
export async function seedSuite(api: ApiClient, cases: number) {
  const agent = (
    await api.POST('/agents', { body: { name: 'Shop', prompt: 'Shop support', connector: { kind: 'builtin', latency_ms: 0 } } })
  ).data!.response;
  const suite = (await api.POST('/simulation_suites', { body: { name: 'Webhooks', model_id: agent.id } })).data!.response;
  for (let i = 0; i < cases; i += 1) {
    const created = await api.POST('/simulation_cases', {
      body: {
        name: `Case ${i}`,
        prompt: 'You ask about opening hours.',
        success_criteria: ['Agent answered'],
        call_success_type: 'all',
        suite_id: suite.id,
        caller_turns: ['When are you open?'],
      },
    });
    expect(created.response.status).toBe(200);
  }
  return { agentId: agent.id, suiteId: suite.id };
}

/** Executes the suite and waits for its session to finish; answers the session's id. */
export async function runSuite(api: ApiClient, seeded: { agentId: string; suiteId: string }): Promise<string> {
  const executed = await api.POST('/simulation_suites/{suite_id}/execute', {
    params: { path: { suite_id: seeded.suiteId }, query: { target_agent_id: seeded.agentId, max_turns: 10 } },
  });
  expect(executed.response.status).toBe(200);
  const id = executed.data!.session_id;
  await until(async () => {
    const session = await api.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: id } } });
    return session.data!.response.pending_simulations === 0;
  }, 'the session to finish');
  return id;
}

/** Every delivery of the endpoint (all pages). */
export async function deliveriesOf(api: ApiClient, endpointId: string): Promise<WebhookDelivery[]> {
  const answer = await api.GET('/webhook_endpoints/{endpoint_id}/deliveries', {
    params: { path: { endpoint_id: endpointId }, query: { page_size: 100 } },
  });
  expect(answer.response.status).toBe(200);
  return answer.data!.response.items;
}

/** The event a request carries, after checking its signature with `secret` as a receiver does. */
export function verified(request: ReceivedWebhook, secret: string): WebhookEvent {
  return new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as WebhookEvent;
}

/** What an event is about: one key per event, whatever webhook-id it was sent under. */
export function subjectOf(event: WebhookEvent): string {
  return 'simulation_id' in event.data ? `${event.type}:${event.data.simulation_id}` : `${event.type}:${event.data.simulation_session_id}`;
}
