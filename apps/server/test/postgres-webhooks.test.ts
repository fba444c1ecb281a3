import { afterEach, describe, expect, it } from 'vitest';
import { configFromEnv } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { apiClient, tempDir } from './support/server.js';
import { storesForFile } from './support/stores.js';
import { createEndpoint, deliveriesOf, runSuite, seedSuite, subjectOf, verified, webhookEnv } from './support/webhook-flow.js';
import { type Receiver, startReceiver, until } from './support/webhook-receiver.js';
import { deliveryScenarios } from './support/webhook-scenarios.js';

/**
 * Webhook delivery end to end on PostgreSQL (issue 13): the scenarios of webhooks-delivery.test.ts,
 * each on a new schema, and an API node and a worker node on one database, whose dispatchers share
 * the outbox through claimDue's leases (FOR UPDATE SKIP LOCKED) so that each event is sent once.
 */
const { freshSchema } = storesForFile();

describe('webhook delivery on PostgreSQL', () => {
  deliveryScenarios(async () => ({ SIMS_DATABASE_URL: await freshSchema() }));
});

describe('webhook delivery from a cluster', () => {
  const cleanup: Array<{ stop(): Promise<unknown> }> = [];
  afterEach(async () => {
    for (const item of cleanup.splice(0).reverse()) await item.stop();
  });
  const node = async (databaseUrl: string, role: 'api' | 'worker'): Promise<RunningServer> => {
    const env = webhookEnv({ SIMS_DATABASE_URL: databaseUrl, SIMS_ROLE: role, SIMS_QUEUE_POLL_MS: '500' });
    const started = await startServer(configFromEnv({ SIMS_DATA_DIR: await tempDir(), PORT: '0', ...env }));
    cleanup.push(started);
    return started;
  };

  it('sends each event once, under one webhook-id, while an API node and a worker node both dispatch', async () => {
    const target: Receiver = await startReceiver(() => ({ status: 200 }));
    cleanup.push(target);
    const databaseUrl = await freshSchema();
    const api = await node(databaseUrl, 'api');
    const key = api.firstStart!.key;
    await node(databaseUrl, 'api');
    await node(databaseUrl, 'worker');
    const client = apiClient(api.url, key);
    const { endpoint, secret } = await createEndpoint(client, target.url);
    await runSuite(client, await seedSuite(client, 6));
    await until(async () => {
      const log = await deliveriesOf(client, endpoint.id);
      return log.length === 7 && log.every((d) => d.status === 'delivered');
    }, 'seven delivered events');
    const log = await deliveriesOf(client, endpoint.id);
    const ids = target.received.map((r) => String(r.headers['webhook-id']));
    expect(ids.sort()).toEqual(log.map((d) => d.event_id).sort());
    expect(new Set(target.received.map((r) => subjectOf(verified(r, secret)))).size).toBe(7);
    for (const delivery of log) expect(delivery.attempt_count).toBe(1);
  }, 60_000);
});
