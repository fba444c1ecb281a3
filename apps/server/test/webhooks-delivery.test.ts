import { describe } from 'vitest';
import { tempDir } from './support/server.js';
import { deliveryScenarios } from './support/webhook-scenarios.js';

/**
 * Webhook delivery end to end on SQLite (issue 13; spec/README.md "Webhooks"): a local receiver
 * verifies every request with the standardwebhooks library while the server runs sessions, goes down
 * and comes back, rotates a secret, gets disabled, and is killed. postgres-webhooks.test.ts runs the
 * same on PostgreSQL.
 */
describe('webhook delivery on SQLite', () => {
  deliveryScenarios(async () => ({ SIMS_DATA_DIR: await tempDir() }));
});
