import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ApiKeyRecord, Storage, WorkspaceRecord } from './storage/types.js';

const KEY_PREFIX = 'sk_';

/**
 * API keys are 32 random bytes: high-entropy secrets, so an unsalted SHA-256 is a safe way to store
 * them (nothing to brute-force) and lets a request's key be found with one indexed lookup.
 */
export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

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
