import { Webhook } from 'standardwebhooks';
import { afterEach, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { type ServerProcess, spawnServer } from './process.js';
import { apiClient } from './server.js';
import { createEndpoint, deliveriesOf, runSuite, seedSuite, startWebhookServer, subjectOf, verified, webhookEnv } from './webhook-flow.js';
import { type Receiver, type ReceivedWebhook, startReceiver, until } from './webhook-receiver.js';

/**
 * Webhook delivery through a real server, run by webhooks-delivery.test.ts on SQLite and by
 * postgres-webhooks.test.ts on PostgreSQL: `database()` answers the environment that picks the
 * storage (a new data directory, or a new PostgreSQL schema) for one server and its restarts.
 */
/** Forty retries 100 ms apart: a receiver down for a while is still being retried when the test brings it back. */
const PATIENT = { SIMS_WEBHOOK_RETRY_DELAYS_MS: Array.from({ length: 40 }, () => '100').join(',') };

export function deliveryScenarios(database: () => Promise<Record<string, string>>) {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const server = async (extra: Record<string, string> = {}): Promise<RunningServer & { key: string }> => {
    const started = await startWebhookServer(webhookEnv({ ...(await database()), ...extra }));
    cleanup.push(() => started.stop());
    return started;
  };
  const receiver = async (answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> => {
    const started = await startReceiver(answer);
    cleanup.push(() => started.stop());
    return started;
  };
  const killed = (child: ServerProcess) => async () => {
    if (child.child.exitCode === null && child.child.signalCode === null) {
      child.child.kill('SIGKILL');
      await child.exited;
    }
  };
  /** For each event (its type and record), the webhook-ids it arrived under: one each, or it was invented twice. */
  const idsBySubject = (requests: ReceivedWebhook[], secret: string) => {
    const ids = new Map<string, Set<string>>();
    for (const request of requests) {
      const subject = subjectOf(verified(request, secret));
      ids.set(subject, (ids.get(subject) ?? new Set()).add(String(request.headers['webhook-id'])));
    }
    return ids;
  };

  it('delivers every event of a session once, each signed so that standardwebhooks verifies it, and logs the attempt', async () => {
    const target = await receiver(() => ({ status: 200, body: 'ok' }));
    const sims = await server();
    const api = apiClient(sims.url, sims.key);
    const { endpoint, secret } = await createEndpoint(api, target.url);
    const sessionId = await runSuite(api, await seedSuite(api, 2));
    await until(async () => {
      const log = await deliveriesOf(api, endpoint.id);
      return log.length === 3 && log.every((d) => d.status === 'delivered');
    }, 'three delivered events');
    const log = await deliveriesOf(api, endpoint.id);
    expect(target.received).toHaveLength(3);
    const events = target.received.map((request) => verified(request, secret));
    expect(events.map((e) => e.type).sort()).toEqual(['session.completed', 'simulation.completed', 'simulation.completed']);
    const session = events.find((e) => e.type === 'session.completed')!;
    expect(session.data).toMatchObject({ simulation_session_id: sessionId, total_simulations: 2, pending_simulations: 0 });
    expect(new Set(target.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(log.map((d) => d.event_id)));
    for (const request of target.received) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toMatch(/^sims-server\/\d+\.\d+\.\d+$/);
      const delivery = log.find((d) => d.event_id === request.headers['webhook-id'])!;
      expect(JSON.parse(request.body)).toEqual(delivery.payload);
      // What a receiver must refuse: a body changed on the way, a replayed (old) request.
      expect(() => new Webhook(secret).verify(request.body.replace('"type"', '"kind"'), request.headers as Record<string, string>)).toThrow(
        /No matching signature/,
      );
      const old = { ...(request.headers as Record<string, string>), 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 600) };
      expect(() => new Webhook(secret).verify(request.body, old)).toThrow(/too old/);
    }
    for (const delivery of log) {
      expect(delivery).toMatchObject({ attempt_count: 1, next_attempt_at: null });
      expect(delivery.attempts).toEqual([
        { attempted_at: expect.any(String), status_code: 200, latency_ms: expect.any(Number), error: null, response_excerpt: 'ok' },
      ]);
    }
  });

  it('retries a receiver that is down (refusing, then 500) until it is back: every event arrives, under the same webhook-id', async () => {
    const target = await receiver((_request, index) => (index % 2 === 0 ? 'drop' : { status: 500, body: 'down for maintenance' }));
    const sims = await server(PATIENT);
    const api = apiClient(sims.url, sims.key);
    const { endpoint, secret } = await createEndpoint(api, target.url);
    await runSuite(api, await seedSuite(api, 2));
    await until(() => target.received.length >= 9, 'three failed attempts of each event');
    target.answerWith(() => ({ status: 204 }));
    await until(async () => (await deliveriesOf(api, endpoint.id)).every((d) => d.status === 'delivered'), 'every event delivered');
    const log = await deliveriesOf(api, endpoint.id);
    expect(log).toHaveLength(3);
    const ids = idsBySubject(target.received, secret);
    expect(ids.size).toBe(3);
    for (const set of ids.values()) expect(set.size).toBe(1);
    for (const delivery of log) {
      const sent = target.received.filter((r) => r.headers['webhook-id'] === delivery.event_id);
      expect(new Set(sent.map((r) => r.body)).size).toBe(1);
      expect(delivery.attempts.length).toBe(sent.length);
      expect(delivery.attempts[0]).toMatchObject({ status_code: 204, error: null });
      expect(delivery.attempts.slice(1).every((a) => a.error !== null)).toBe(true);
    }
    const failures = log.flatMap((d) => d.attempts.slice(1));
    expect(failures.some((a) => a.status_code === 500 && a.error === 'HTTP 500' && a.response_excerpt === 'down for maintenance')).toBe(
      true,
    );
    expect(failures.some((a) => a.status_code === null)).toBe(true);
  });

  it('after a rotation signs with both the new and the previous secret, each of which verifies', async () => {
    const target = await receiver();
    const sims = await server();
    const api = apiClient(sims.url, sims.key);
    const { endpoint, secret: before } = await createEndpoint(api, target.url);
    const rotated = await api.POST('/webhook_endpoints/{endpoint_id}/rotate_secret', { params: { path: { endpoint_id: endpoint.id } } });
    expect(rotated.response.status).toBe(200);
    const after = rotated.data!.response.secret;
    expect(after).not.toBe(before);
    await runSuite(api, await seedSuite(api, 1));
    await until(() => target.received.length === 2, 'both events');
    for (const request of target.received) {
      expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verified(request, after)).toEqual(verified(request, before));
    }
  });

  it('disables an endpoint that keeps failing, with the reason; re-enabled, its waiting deliveries go out', async () => {
    const target = await receiver(() => ({ status: 500 }));
    const sims = await server({ SIMS_WEBHOOK_DISABLE_AFTER_MS: '0' });
    const api = apiClient(sims.url, sims.key);
    const { endpoint, secret } = await createEndpoint(api, target.url);
    await runSuite(api, await seedSuite(api, 1));
    const read = async () =>
      (await api.GET('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: endpoint.id } } })).data!.response;
    await until(async () => !(await read()).enabled, 'the endpoint disabled');
    expect((await read()).disabled_reason).toMatch(/^Every attempt has failed since \d{4}-\d\d-\d\dT[\d:.]+Z; the last error: HTTP 500\.$/);
    const waiting = await deliveriesOf(api, endpoint.id);
    expect(waiting).toHaveLength(2);
    expect(waiting.every((d) => d.status === 'pending')).toBe(true);

    target.answerWith(() => ({ status: 200 }));
    const enabled = await api.PUT('/webhook_endpoints/{endpoint_id}', {
      params: { path: { endpoint_id: endpoint.id } },
      body: { enabled: true },
    });
    expect(enabled.response.status).toBe(200);
    await until(async () => (await deliveriesOf(api, endpoint.id)).every((d) => d.status === 'delivered'), 'the waiting deliveries');
    const ids = idsBySubject(target.received, secret);
    expect(ids.size).toBe(2);
    for (const set of ids.values()) expect(set.size).toBe(1);
  });

  it('after SIGKILL of the server with deliveries pending, a restart delivers every event, none twice under different ids', async () => {
    const target = await receiver(() => ({ status: 503 }));
    const env = webhookEnv({ ...(await database()), ...PATIENT });
    const first = await spawnServer(env, { firstStart: true });
    cleanup.push(killed(first));
    const api = apiClient(first.url, first.key);
    const { endpoint, secret } = await createEndpoint(api, target.url);
    await runSuite(api, await seedSuite(api, 3));
    await until(() => new Set(target.received.map((r) => r.headers['webhook-id'])).size === 4, 'an attempt of every event');
    first.child.kill('SIGKILL');
    await first.exited;
    target.answerWith(() => ({ status: 200 }));

    const second = await spawnServer(env, { firstStart: false });
    cleanup.push(killed(second));
    const again = apiClient(second.url, first.key);
    // An attempt cut off by the kill is sent again once its lease (time-out + margin) is over.
    await until(
      async () => (await deliveriesOf(again, endpoint.id)).every((d) => d.status === 'delivered'),
      'every event delivered',
      1_500,
      40,
    );
    const log = await deliveriesOf(again, endpoint.id);
    expect(log).toHaveLength(4);
    const ids = idsBySubject(target.received, secret);
    expect(ids.size).toBe(4);
    for (const set of ids.values()) expect(set.size).toBe(1);
    expect(new Set(target.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(log.map((d) => d.event_id)));
  }, 90_000);
}
