import { createHash } from 'node:crypto';
import type { Storage, StoredResponse } from '../storage/types.js';
import { ApiError } from './errors.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** JSON with object keys sorted, so that the same request always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(operationId: string, params: unknown, query: unknown, body: unknown): string {
  return createHash('sha256').update(canonical({ operationId, params, query, body })).digest('hex');
}

export type Claim =
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'claimed'; complete(response: StoredResponse): Promise<void>; release(): Promise<void> };

/**
 * Claims an `Idempotency-Key` for one request. A repeat of the same request answers the stored
 * response (`replay`); another request under the same key, or a repeat while the first still runs,
 * answers 409. The claimer must `complete` (stores the response) or `release` (lets a retry run).
 */
export async function claimKey(storage: Storage, workspace_id: string, key: string, hash: string): Promise<Claim> {
  const claim = await storage.idempotency.claim(workspace_id, key, hash, new Date().toISOString(), IDEMPOTENCY_TTL_MS);
  const detail = (message: string) => [{ location: 'header' as const, field: 'Idempotency-Key', message }];
  switch (claim.state) {
    case 'mismatch':
      throw new ApiError('conflict', 'This Idempotency-Key was already used with a different request.', detail('already used with a different request'));
    case 'in_flight':
      throw new ApiError('conflict', 'A request with this Idempotency-Key is still being processed.', detail('a request with this key is still running'));
    case 'replay':
      return { kind: 'replay', response: { status: claim.status, content_type: claim.content_type, body: claim.body } };
    case 'claimed':
      return {
        kind: 'claimed',
        complete: (response) => storage.idempotency.complete(workspace_id, key, response),
        release: () => storage.idempotency.release(workspace_id, key),
      };
  }
}
