import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ActiveKeys, hashKey, mintKey } from '../src/keys.js';
import { buildApp } from '../src/app.js';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { openSqliteStorage } from '../src/storage/sqlite/index.js';
import type { ApiKeyRecord, Storage } from '../src/storage/types.js';
import { raw, startTestServer, type TestServer } from './support/server.js';

/** Key look-ups are cached; whatever is cached, a revoked key is refused on its very next request. */
let server: TestServer;
const status = async (key: string) => (await raw(`${server.url}/agents`, { key })).status;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('the key cache of a running server', () => {
  it('answers a repeated key without looking it up again', async () => {
    const { key } = await mintKey(server.storage, server.firstStart!.workspace.id, 'repeat');
    expect(await status(key)).toBe(200);
    const lookups = vi.spyOn(server.storage.apiKeys, 'findActiveByHash');
    try {
      expect(await status(key)).toBe(200);
      expect(await status(key)).toBe(200);
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
  });

  it('refuses a key revoked in this process on its next request', async () => {
    const { key, record } = await mintKey(server.storage, server.firstStart!.workspace.id, 'revoked here');
    expect(await status(key)).toBe(200);
    expect(await status(key)).toBe(200);
    await server.storage.apiKeys.revoke(record.id, new Date().toISOString());
    expect(await status(key)).toBe(401);
    expect(await status(server.key)).toBe(200);
  });

  it('refuses a key revoked through another connection to the database file on its next request', async () => {
    const { key, record } = await mintKey(server.storage, server.firstStart!.workspace.id, 'revoked elsewhere');
    expect(await status(key)).toBe(200);
    expect(await status(key)).toBe(200);
    // What `sims-server keys revoke` does from another process: its own connection to the same file.
    const other = openSqliteStorage(join(server.dataDir, 'sims.db'));
    try {
      await other.apiKeys.revoke(record.id, new Date().toISOString());
    } finally {
      await other.close();
    }
    expect(await status(key)).toBe(401);
    expect(await status(server.key)).toBe(200);
  });

  it('takes a key minted through another connection on its first request', async () => {
    expect(await status(server.key)).toBe(200);
    const other = openSqliteStorage(join(server.dataDir, 'sims.db'));
    let key: string;
    try {
      key = (await mintKey(other, server.firstStart!.workspace.id, 'minted elsewhere')).key;
    } finally {
      await other.close();
    }
    expect(await status(key)).toBe(200);
  });
});

describe('two apps on one storage', () => {
  it('each refuses a revoked key on its next request (each has a probe of its own)', async () => {
    const storage = openSqliteStorage(':memory:');
    const apps = await Promise.all(
      [1, 2].map(() => buildApp({ storage, engine: new QueueOnlyEngine(), rateLimit: { max: 0, windowMs: 60_000 }, logLevel: 'silent' })),
    );
    try {
      await storage.workspaces.create({ id: 'w', name: 'Two apps', created_at: new Date().toISOString() });
      const { key, record } = await mintKey(storage, 'w', 'shared');
      const get = async (app: (typeof apps)[number]) =>
        (await app.inject({ method: 'GET', url: '/v2/agents', headers: { authorization: `Bearer ${key}` } })).statusCode;
      for (const app of apps) expect([await get(app), await get(app)]).toEqual([200, 200]);
      await storage.apiKeys.revoke(record.id, new Date().toISOString());
      for (const app of apps) expect(await get(app)).toBe(401);
    } finally {
      for (const app of apps) await app.close();
      await storage.close();
    }
  });
});

describe("SQLite's apiKeys.changeProbe", () => {
  it('tells key writes on its own connection and commits from another connection, and nothing else', async () => {
    const file = join(server.dataDir, 'sims.db');
    const probe = server.storage.apiKeys.changeProbe!();
    expect(probe()).toBe(false);
    await server.storage.workspaces.list();
    // Other writes of its own connection change no key.
    await server.storage.workspaces.create({ id: 'probe-ws', name: 'Probe', created_at: new Date().toISOString() });
    expect(probe()).toBe(false);
    const minted = await mintKey(server.storage, server.firstStart!.workspace.id, 'probe here');
    expect(probe()).toBe(true);
    expect(probe()).toBe(false);
    expect(await server.storage.apiKeys.revoke(minted.record.id, new Date().toISOString())).toBeDefined();
    expect(probe()).toBe(true);
    expect(probe()).toBe(false);
    const other = openSqliteStorage(file);
    try {
      await mintKey(other, server.firstStart!.workspace.id, 'probe elsewhere');
    } finally {
      await other.close();
    }
    expect(probe()).toBe(true);
    expect(probe()).toBe(false);
  });
});

describe('ActiveKeys', () => {
  const record: ApiKeyRecord = {
    id: 'k1',
    workspace_id: 'w1',
    name: 'default',
    prefix: 'sk_abcdefgh',
    created_at: '2026-01-01T00:00:00.000Z',
    revoked_at: null,
  };
  /** A storage holding one active key, `sk_one`, whose look-ups are counted and can be held back. */
  function fakeStorage() {
    let active = true;
    let hold: Promise<void> | undefined;
    const findActiveByHash = vi.fn(async (hash: string) => {
      const answer = active && hash === hashKey('sk_one') ? record : undefined;
      await hold;
      return answer;
    });
    const storage = { apiKeys: { findActiveByHash } } as unknown as Storage;
    return {
      storage,
      findActiveByHash,
      revoke: () => {
        active = false;
      },
      holdLookups: (until: Promise<void>) => {
        hold = until;
      },
    };
  }

  it('looks a key up on every call when the storage cannot tell changes', async () => {
    const fake = fakeStorage();
    const keys = new ActiveKeys(fake.storage);
    expect(await keys.find('sk_one')).toEqual(record);
    expect(await keys.find('sk_one')).toEqual(record);
    expect(fake.findActiveByHash).toHaveBeenCalledTimes(2);
  });

  it('answers from the cache, synchronously, until a change is told; unknown keys are looked up each time', async () => {
    const fake = fakeStorage();
    let changed = false;
    const keys = new ActiveKeys(fake.storage, () => changed);
    expect(await keys.find('sk_one')).toEqual(record);
    expect(keys.find('sk_one')).toEqual(record);
    expect(await keys.find('sk_other')).toBeUndefined();
    expect(await keys.find('sk_other')).toBeUndefined();
    expect(fake.findActiveByHash).toHaveBeenCalledTimes(3);
    fake.revoke();
    changed = true;
    expect(await keys.find('sk_one')).toBeUndefined();
  });

  it('does not keep a look-up answered before a change that another request has already seen', async () => {
    const fake = fakeStorage();
    let changed = false;
    const keys = new ActiveKeys(fake.storage, () => changed);
    let release!: () => void;
    fake.holdLookups(new Promise((resolve) => (release = resolve)));
    // The first request reads the key as active, then the key is revoked while its answer is on the way...
    const first = keys.find('sk_one');
    fake.revoke();
    changed = true;
    // ...and a second request sees the change before the first one's answer arrives.
    const second = keys.find('sk_one');
    changed = false;
    release();
    expect(await first).toEqual(record);
    expect(await second).toBeUndefined();
    // The first answer, read before the change, was not cached: the revoked key stays refused.
    expect(await keys.find('sk_one')).toBeUndefined();
  });
});
