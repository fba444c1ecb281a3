import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestServer, type ApiClient, type TestServer } from './support/server.js';

/**
 * The outbound URL guard as the API applies it when an agent is created or updated (issue 9, item
 * 5): a refused URL answers 422 at once, so no run ever connects to it. Nothing here is contacted.
 */
let strict: TestServer;
let open: TestServer;
let api: ApiClient;
let openApi: ApiClient;

beforeAll(async () => {
  [strict, open] = await Promise.all([startTestServer(), startTestServer({ engineConfig: { allowPrivateNetworks: true } })]);
  api = apiClient(strict.url, strict.key);
  openApi = apiClient(open.url, open.key);
});
afterAll(() => Promise.all([strict.stop(), open.stop()]));

async function createHttpAgent(client: ApiClient, url: string) {
  return client.POST('/agents', { body: { name: 'Guarded', prompt: 'p', connector: { kind: 'http', url } } });
}

describe('agents: URLs the outbound guard refuses answer 422', () => {
  it.each([
    'http://[::a9fe:a9fe]/',
    'http://[::169.254.169.254]/latest/meta-data',
    'http://[::7f00:1]:8080/turn',
    'http://[::ffff:0:a9fe:a9fe]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[2002:a9fe:a9fe::1]/',
    'http://[2001:0:4136:e378:8000:63bf:5601:5601]/',
    'http://metadata.google.internal./computeMetadata/v1',
    'http://0xa9.0xfe.0xa9.0xfe/',
  ])('refuses %s even when the operator allows private networks', async (url) => {
    for (const client of [api, openApi]) {
      const refused = await createHttpAgent(client, url);
      expect(refused.response.status).toBe(422);
      expect(refused.error!.error.details![0]).toMatchObject({ location: 'body', field: '/connector/url' });
      expect(refused.error!.error.details![0]!.message).toMatch(/refused by the outbound URL guard/);
    }
  });

  it.each(['http://[64:ff9b::7f00:1]:8080/turn', 'http://[2002:a00:1::1]/', 'http://localhost./turn', 'http://hooks.localhost/'])(
    'refuses the loopback or private %s unless the operator allows private networks',
    async (url) => {
      const refused = await createHttpAgent(api, url);
      expect(refused.response.status).toBe(422);
      expect(refused.error!.error.details![0]).toMatchObject({ field: '/connector/url' });
      expect(refused.error!.error.details![0]!.message).toMatch(/allowPrivateNetworks/);
      expect((await createHttpAgent(openApi, url)).response.status).toBe(200);
    },
  );

  it('applies the same guard to an openai base_url and to an update', async () => {
    const openai = await api.POST('/agents', {
      body: { name: 'A', prompt: 'p', connector: { kind: 'openai', base_url: 'http://[::a9fe:a9fe]/v1', model: 'm' } },
    });
    expect(openai.response.status).toBe(422);
    expect(openai.error!.error.details![0]).toMatchObject({ field: '/connector/base_url' });
    const created = await createHttpAgent(api, 'https://hooks.example.org/turn');
    expect(created.response.status).toBe(200);
    const update = await api.PUT('/agents/{agent_id}', {
      params: { path: { agent_id: created.data!.response.id } },
      body: { connector: { kind: 'http', url: 'http://metadata.google.internal./' } },
    });
    expect(update.response.status).toBe(422);
    expect(update.error!.error.details![0]).toMatchObject({ field: '/connector/url' });
  });
});
