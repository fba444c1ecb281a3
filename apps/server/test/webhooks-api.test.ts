import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { buildApp } from '../src/app.js';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { createWorkspace } from '../src/keys.js';
import { openSqliteStorage } from '../src/storage/sqlite/index.js';
import { apiClient, otherWorkspace, raw, seed, startTestServer, type ApiClient, type TestServer } from './support/server.js';
import { WEBHOOK_DEFAULTS } from '../src/webhooks/config.js';
import { responseProblems } from './support/strict-spec.js';
import { type Receiver, startReceiver, until } from './support/webhook-receiver.js';

/**
 * Webhook endpoints and their delivery logs through the real server (issue 13, items 2–3): the
 * secret answered by create and rotate only, never by a read; the outbound URL guard; tenancy; the
 * deliveries a finished session leaves, sent by the server's dispatcher to a loopback receiver and
 * verified with the `standardwebhooks` library; redelivery with the same `webhook-id`.
 */
const SECRET = /^whsec_[A-Za-z0-9+/=]+$/;
const ALL = ['simulation.completed', 'simulation.failed', 'session.completed', 'session.cancelled'];

let server: TestServer;
let client: ApiClient;
let receiver: Receiver;
let keyB: string;

beforeAll(async () => {
  receiver = await startReceiver();
  // The receiver is on loopback: private networks allowed, for agents and webhook URLs alike.
  server = await startTestServer({ engineConfig: { allowPrivateNetworks: true }, webhooks: { ...WEBHOOK_DEFAULTS, pollMs: 50 } });
  client = apiClient(server.url, server.key);
  keyB = await otherWorkspace(server);
});

afterAll(async () => {
  await server?.stop();
  await receiver?.stop();
});

const call = (method: string, path: string, body?: unknown, key = server.key) =>
  raw(`${server.url}${path}`, { method, key, body: body === undefined ? undefined : JSON.stringify(body) });

/** The answer, checked against the operation's response schema (closed: no field the spec does not declare). */
async function answered(operationId: string, status: number, answer: Promise<Awaited<ReturnType<typeof raw>>>) {
  const { status: got, json, text } = await answer;
  expect(got, text).toBe(status);
  expect(responseProblems(operationId, status, json)).toEqual([]);
  return { json, text };
}

describe('webhook endpoints (issue 13)', () => {
  it('creates an endpoint with its secret shown once; reads, lists and updates never show it', async () => {
    const { json: created } = await answered(
      'createWebhookEndpoint',
      200,
      call('POST', '/webhook_endpoints', { url: 'https://hooks.example.org/a', description: 'CI' }),
    );
    const { endpoint, secret } = created.response;
    expect(secret).toMatch(SECRET);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(endpoint).toEqual({
      id: expect.any(String),
      url: 'https://hooks.example.org/a',
      event_types: ALL,
      description: 'CI',
      enabled: true,
      disabled_reason: null,
      created_at: expect.any(String),
      updated_at: endpoint.created_at,
    });

    const reads = [
      await answered('getWebhookEndpoint', 200, call('GET', `/webhook_endpoints/${endpoint.id}`)),
      await answered('listWebhookEndpoints', 200, call('GET', '/webhook_endpoints?page_size=100')),
    ];
    expect(reads[0]!.json.response).toEqual(endpoint);
    expect(reads[1]!.json.response).toMatchObject({ page_number: 1, page_size: 100 });
    expect(reads[1]!.json.response.items).toContainEqual(endpoint);

    // A partial update: omitted and null fields keep their value.
    const { json: updated, text } = await answered(
      'updateWebhookEndpoint',
      200,
      call('PUT', `/webhook_endpoints/${endpoint.id}`, { event_types: ['session.completed'], description: null }),
    );
    expect(updated.response).toMatchObject({ url: endpoint.url, event_types: ['session.completed'], description: 'CI', enabled: true });
    expect(updated.response.updated_at >= endpoint.updated_at).toBe(true);
    for (const read of [...reads, { text }]) {
      expect(read.text).not.toContain(secret);
      expect(read.text).not.toContain('whsec_');
    }

    // Disabled by hand, with the reason; enabled again, the reason cleared.
    const { json: disabled } = await answered(
      'updateWebhookEndpoint',
      200,
      call('PUT', `/webhook_endpoints/${endpoint.id}`, { enabled: false }),
    );
    expect(disabled.response).toMatchObject({ enabled: false, disabled_reason: 'Disabled by updateWebhookEndpoint.' });
    const { json: enabled } = await answered(
      'updateWebhookEndpoint',
      200,
      call('PUT', `/webhook_endpoints/${endpoint.id}`, { enabled: true }),
    );
    expect(enabled.response).toMatchObject({ enabled: true, disabled_reason: null });

    // Rotation: a new secret, shown this once; the previous one is kept to sign with for 24 hours.
    const { json: rotated } = await answered(
      'rotateWebhookEndpointSecret',
      200,
      call('POST', `/webhook_endpoints/${endpoint.id}/rotate_secret`),
    );
    expect(rotated.response.secret).toMatch(SECRET);
    expect(rotated.response.secret).not.toBe(secret);
    expect(rotated.response.endpoint).toMatchObject({ id: endpoint.id, event_types: ['session.completed'] });
    const stored = (await server.storage.webhooks.get((await server.storage.workspaces.list())[0]!.id, endpoint.id))!;
    expect(stored).toMatchObject({ secret: rotated.response.secret, previous_secret: secret });
    const window = Date.parse(stored.previous_secret_expires_at!) - Date.parse(stored.updated_at);
    expect(window).toBe(24 * 60 * 60 * 1000);

    expect((await call('DELETE', `/webhook_endpoints/${endpoint.id}`)).status).toBe(204);
    await answered('getWebhookEndpoint', 404, call('GET', `/webhook_endpoints/${endpoint.id}`));
    await answered('deleteWebhookEndpoint', 404, call('DELETE', `/webhook_endpoints/${endpoint.id}`));
  });

  it('refuses a URL the outbound guard refuses with 422 on /url, at creation and update', async () => {
    for (const url of ['ftp://hooks.example.org/a', 'https://user:pw@hooks.example.org/a', 'http://169.254.169.254/latest']) {
      const { json } = await answered('createWebhookEndpoint', 422, call('POST', '/webhook_endpoints', { url }));
      expect(json.error.details).toEqual([expect.objectContaining({ location: 'body', field: '/url' })]);
    }
    const { json: created } = await answered(
      'createWebhookEndpoint',
      200,
      call('POST', '/webhook_endpoints', { url: 'https://hooks.example.org/b' }),
    );
    const id = created.response.endpoint.id;
    const { json } = await answered(
      'updateWebhookEndpoint',
      422,
      call('PUT', `/webhook_endpoints/${id}`, { url: 'ftp://hooks.example.org/b' }),
    );
    expect(json.error.details).toEqual([expect.objectContaining({ field: '/url' })]);
    expect((await call('GET', `/webhook_endpoints/${id}`)).json.response.url).toBe('https://hooks.example.org/b');
    await call('DELETE', `/webhook_endpoints/${id}`);
  });

  it("answers 404 to another workspace for every operation on an endpoint, and lists only the workspace's own", async () => {
    const { json: created } = await answered(
      'createWebhookEndpoint',
      200,
      call('POST', '/webhook_endpoints', { url: 'https://hooks.example.org/c' }),
    );
    const id = created.response.endpoint.id;
    const requests: Array<[string, string, string, unknown?]> = [
      ['getWebhookEndpoint', 'GET', `/webhook_endpoints/${id}`],
      ['updateWebhookEndpoint', 'PUT', `/webhook_endpoints/${id}`, { enabled: false }],
      ['deleteWebhookEndpoint', 'DELETE', `/webhook_endpoints/${id}`],
      ['rotateWebhookEndpointSecret', 'POST', `/webhook_endpoints/${id}/rotate_secret`],
      ['listWebhookDeliveries', 'GET', `/webhook_endpoints/${id}/deliveries`],
      ['redeliverWebhookDelivery', 'POST', `/webhook_endpoints/${id}/deliveries/${crypto.randomUUID()}/redeliver`],
    ];
    for (const [operationId, method, path, body] of requests) {
      const { json } = await answered(operationId, 404, call(method, path, body, keyB));
      expect(json.error.code).toBe('not_found');
    }
    const { json: listed } = await answered('listWebhookEndpoints', 200, call('GET', '/webhook_endpoints', undefined, keyB));
    expect(listed.response).toMatchObject({ items: [], total: 0 });
    expect((await call('GET', `/webhook_endpoints/${id}`)).json.response).toEqual(created.response.endpoint);
    await call('DELETE', `/webhook_endpoints/${id}`);
  });

  it('sends a finished session’s events signed, logs each delivery, and redelivers one with the same webhook-id', async () => {
    const { json: created } = await answered('createWebhookEndpoint', 200, call('POST', '/webhook_endpoints', { url: receiver.url }));
    const { endpoint, secret } = created.response;
    const ids = await seed(client, 2);
    const executed = await client.POST('/simulation_suites/{suite_id}/execute', {
      params: { path: { suite_id: ids.suiteId }, query: { target_agent_id: ids.agentId } },
    });
    const sessionId = executed.data!.session_id;
    const types = () => receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type);
    await until(() => types().includes('session.completed'), 'session.completed received');
    const verifier = new Webhook(secret);
    const events = receiver.received.map(
      (r) => verifier.verify(r.body, r.headers as Record<string, string>) as { type: string; data: Record<string, unknown> },
    );
    expect(types().sort()).toEqual(['session.completed', 'simulation.completed', 'simulation.completed']);
    expect(events.find((e) => e.type === 'session.completed')!.data).toMatchObject({
      simulation_session_id: sessionId,
      total_simulations: 2,
      pending_simulations: 0,
      cancelled_at: null,
    });

    // The log: every delivery delivered, its attempt recorded, its payload the body sent.
    await until(async () => {
      const page = (await call('GET', `/webhook_endpoints/${endpoint.id}/deliveries?status=delivered`)).json.response;
      return page.total === 3;
    }, 'three deliveries recorded as delivered');
    const { json: log, text } = await answered('listWebhookDeliveries', 200, call('GET', `/webhook_endpoints/${endpoint.id}/deliveries`));
    expect(text).not.toContain(secret);
    expect(log.response.total).toBe(3);
    const [newest] = log.response.items;
    expect(newest).toMatchObject({
      endpoint_id: endpoint.id,
      event_type: 'session.completed',
      status: 'delivered',
      attempt_count: 1,
      next_attempt_at: null,
    });
    expect(newest.attempts).toEqual([expect.objectContaining({ status_code: 204, error: null })]);
    const sent = receiver.received.find((r) => r.headers['webhook-id'] === newest.event_id)!;
    expect(JSON.parse(sent.body)).toEqual(newest.payload);
    const { json: pending } = await answered(
      'listWebhookDeliveries',
      200,
      call('GET', `/webhook_endpoints/${endpoint.id}/deliveries?status=pending`),
    );
    expect(pending.response).toMatchObject({ items: [], total: 0 });

    // Redelivered: pending again, due now, then sent once more with the same webhook-id.
    const before = receiver.received.length;
    const { json: redelivered } = await answered(
      'redeliverWebhookDelivery',
      200,
      call('POST', `/webhook_endpoints/${endpoint.id}/deliveries/${newest.id}/redeliver`),
    );
    expect(redelivered.response).toMatchObject({ id: newest.id, event_id: newest.event_id, status: 'pending', attempt_count: 0 });
    await until(() => receiver.received.length > before, 'the redelivery received');
    const again = receiver.received[before]!;
    expect(again.headers['webhook-id']).toBe(newest.event_id);
    expect(verifier.verify(again.body, again.headers as Record<string, string>)).toEqual(newest.payload);
    await answered(
      'redeliverWebhookDelivery',
      404,
      call('POST', `/webhook_endpoints/${endpoint.id}/deliveries/${crypto.randomUUID()}/redeliver`),
    );

    // A disabled endpoint redelivers nothing: 409.
    await call('PUT', `/webhook_endpoints/${endpoint.id}`, { enabled: false });
    const { json: conflict } = await answered(
      'redeliverWebhookDelivery',
      409,
      call('POST', `/webhook_endpoints/${endpoint.id}/deliveries/${newest.id}/redeliver`),
    );
    expect(conflict.error.code).toBe('conflict');
    await call('DELETE', `/webhook_endpoints/${endpoint.id}`);
  });
});

describe('webhook secrets in the log (issue 13)', () => {
  it('are never logged, at any level, by create, rotate or the reads', async () => {
    const lines: string[] = [];
    const storage = openSqliteStorage(':memory:');
    const app = await buildApp({
      storage,
      engine: new QueueOnlyEngine(),
      rateLimit: { max: 0, windowMs: 60_000 },
      logLevel: 'trace',
      logStream: { write: (line) => lines.push(line) },
    });
    try {
      const { minted } = await createWorkspace(storage, 'Logged');
      const headers = { authorization: `Bearer ${minted.key}`, 'content-type': 'application/json' };
      const created = await app.inject({
        method: 'POST',
        url: '/v2/webhook_endpoints',
        headers,
        payload: JSON.stringify({ url: 'https://hooks.example.org/logged' }),
      });
      expect(created.statusCode).toBe(200);
      const { endpoint, secret } = created.json().response;
      const rotated = await app.inject({ method: 'POST', url: `/v2/webhook_endpoints/${endpoint.id}/rotate_secret`, headers });
      await app.inject({ method: 'GET', url: `/v2/webhook_endpoints/${endpoint.id}`, headers });
      await app.inject({ method: 'GET', url: '/v2/webhook_endpoints', headers });
      expect(lines.length).toBeGreaterThanOrEqual(4);
      for (const line of lines) {
        expect(line).not.toContain(secret);
        expect(line).not.toContain(rotated.json().response.secret);
        expect(line).not.toContain('whsec_');
      }
    } finally {
      await app.close();
      await storage.close();
    }
  });
});
