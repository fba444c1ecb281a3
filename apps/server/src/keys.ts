import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { ApiKeyRecord, Storage, WorkspaceRecord } from './storage/types.js';

const KEY_PREFIX = 'sk_';

/**
 * API keys are 32 random bytes: high-entropy secrets, so an unsalted SHA-256 is a safe way to store
 * them (nothing to brute-force) and lets a request's key be found with one indexed lookup.
 */
export const hashKey = (key: string) => hash('sha256', key);

/** The most keys `ActiveKeys` remembers; past it the cache starts over, so no number of keys can grow it without bound. */
const CACHED_KEYS_MAX = 10_000;

/**
 * The active key for a request's bearer token, remembered by hash so that a repeat costs a change
 * check instead of a key query. `changed` must answer true whenever a key may have been created,
 * revoked or deleted since it was last called, by this process or another (a probe of the storage's
 * `apiKeys.changeProbe`, one per cache): every look-up calls it first and forgets every key when it
 * does, so a revoked key is refused on its next request whatever was cached. Without `changed`,
 * nothing is cached.
 * Unknown keys are not remembered.
 */
export class ActiveKeys {
  private readonly byHash = new Map<string, ApiKeyRecord>();
  /** Bumped when the cache is emptied, so that a query answered before a change is not cached after it. */
  private generation = 0;

  constructor(
    private readonly storage: Storage,
    private readonly changed?: () => boolean,
  ) {}

  /** The active key, or undefined; synchronous when it was cached and nothing has changed since. */
  find(key: string): ApiKeyRecord | undefined | Promise<ApiKeyRecord | undefined> {
    const hash = hashKey(key);
    if (!this.changed) return this.storage.apiKeys.findActiveByHash(hash);
    if (this.changed()) {
      this.byHash.clear();
      this.generation += 1;
    }
    return this.byHash.get(hash) ?? this.load(hash);
  }

  private async load(hash: string): Promise<ApiKeyRecord | undefined> {
    const generation = this.generation;
    const record = await this.storage.apiKeys.findActiveByHash(hash);
    if (record && generation === this.generation) {
      if (this.byHash.size >= CACHED_KEYS_MAX) this.byHash.clear();
      this.byHash.set(hash, record);
    }
    return record;
  }
}

export interface MintedKey {
  key: string;
  record: ApiKeyRecord;
}

export async function mintKey(storage: Storage, workspace_id: string, name = 'default'): Promise<MintedKey> {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = {
    id: randomUUID(),
    workspace_id,
    name,
    prefix: key.slice(0, KEY_PREFIX.length + 8),
    created_at: new Date().toISOString(),
    revoked_at: null,
  };
  await storage.apiKeys.create({ ...record, hash: hashKey(key) });
  return { key, record };
}

export async function createWorkspace(storage: Storage, name: string): Promise<{ workspace: WorkspaceRecord; minted: MintedKey }> {
  const workspace: WorkspaceRecord = { id: randomUUID(), name, created_at: new Date().toISOString() };
  await storage.workspaces.create(workspace);
  return { workspace, minted: await mintKey(storage, workspace.id) };
}

/** On first start with an empty database: one workspace and its key, which is shown once. */
export async function bootstrap(storage: Storage): Promise<{ workspace: WorkspaceRecord; minted: MintedKey } | undefined> {
  if ((await storage.workspaces.list()).length) return undefined;
  return createWorkspace(storage, 'Default workspace');
}
