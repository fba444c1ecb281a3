import { describe, expect, it } from 'vitest';
import { ENGINE_DEFAULTS } from '../src/config.js';
import { startServer } from '../src/server.js';
import { expectNulAnswers, expectNulReplyKept, nulRequests } from './support/nul-text.js';
import { apiClient, NO_WEBHOOK_SENDING, raw, seed, tempDir } from './support/server.js';
import { storesForFile } from './support/stores.js';

/**
 * Text holding U+0000 (NUL) on PostgreSQL, whose `text` cannot store it: the requests of
 * test/nul-text.test.ts get the same answers as on SQLite (never a 500), the database answers
 * afterwards, and an agent's reply holding a NUL is kept in the timeline.
 */
const { databaseUrl } = storesForFile();

describe('text holding U+0000 (NUL) on PostgreSQL', () => {
  it('answers as on SQLite, keeps the database answering, and stores a reply holding a NUL', async () => {
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      dataDir: await tempDir(),
      databaseUrl: databaseUrl(),
      rateLimit: { max: 0, windowMs: 60_000 },
      bodyLimit: 1024 * 1024,
      logLevel: 'silent',
      shutdownGraceMs: 5_000,
      engine: { ...ENGINE_DEFAULTS, allowPrivateNetworks: true },
      webhooks: NO_WEBHOOK_SENDING,
    });
    try {
      const target = { url: server.url, key: server.firstStart!.key };
      const ids = await seed(apiClient(target.url, target.key));
      await expectNulAnswers(target, nulRequests(ids));
      const agents = await raw(`${target.url}/agents?page_size=100&search=acme`, { key: target.key });
      expect(agents.status).toBe(200);
      expect(agents.json.response.items.map((agent: { name: string }) => agent.name)).toEqual(['Acme Support']);
      const run = await expectNulReplyKept(target);
      const listed = await raw(`${target.url}/simulations?page_size=100`, { key: target.key });
      expect(listed.status).toBe(200);
      expect(listed.json.response.items.map((item: { simulation_id: string }) => item.simulation_id)).toContain(run.simulation_id);
      // The session's report reads the run whose timeline holds the NUL, and counts its turns.
      const session = (await raw(`${target.url}/simulations/${run.simulation_id}`, { key: target.key })).json.response
        .simulation_session_id;
      const report = await raw(`${target.url}/simulations/session/${session}/report`, { key: target.key });
      expect(report.status).toBe(200);
      const turns = run.timeline!.filter((item) => item.type === 'message' && item.sender_type !== 'system').length;
      expect(report.json.response.cases[0].turns).toEqual({ median: turns, p95: turns });
    } finally {
      await server.stop();
    }
  });
});
