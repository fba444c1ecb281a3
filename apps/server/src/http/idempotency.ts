import { hash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Storage, StoredResponse } from '../storage/types.js';
import { ApiError } from './errors.js';
import { sendResult } from './results.js';
import type { AnyResult } from './types.js';

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * JSON with object keys sorted, so that the same request always hashes the same. Written with its own
 * stack rather than by recursion, so that no nesting depth can overflow the call stack.
 */
export function canonical(root: unknown): string {
  const out: string[] = [];
  // A string on the stack is punctuation to write as it is; a box is a value still to write.
  const stack: Array<string | { value: unknown }> = [{ value: root }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const { value } = item;
    if (Array.isArray(value)) {
      out.push('[');
      stack.push(']');
      for (let i = value.length - 1; i >= 0; i -= 1) {
        stack.push({ value: value[i] });
        if (i > 0) stack.push(',');
      }
    } else if (value && typeof value === 'object') {
      const keys = Object.keys(value).sort();
      out.push('{');
      stack.push('}');
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const key = keys[i]!;
        stack.push({ value: (value as Record<string, unknown>)[key] });
        stack.push(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`);
      }
    } else {
      out.push(JSON.stringify(value) ?? 'null');
    }
  }
  return out.join('');
}

export function requestHash(operationId: string, params: unknown, query: unknown, body: unknown): string {
  return hash('sha256', canonical({ operationId, params, query, body }));
}

type Claim =
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'claimed'; complete(response: StoredResponse): Promise<void>; release(): Promise<void> };

/**
 * Claims an `Idempotency-Key` for one request. A repeat of the same request answers the stored
 * response (`replay`); another request under the same key, or a repeat while the first still runs,
 * answers 409. The claimer must `complete` (stores the response) or `release` (lets a retry run).
 */
async function claimKey(storage: Storage, workspace_id: string, key: string, hash: string): Promise<Claim> {
  const claim = await storage.idempotency.claim(workspace_id, key, hash, new Date().toISOString(), IDEMPOTENCY_TTL_MS);
  const detail = (message: string) => [{ location: 'header' as const, field: 'Idempotency-Key', message }];
  switch (claim.state) {
    case 'mismatch':
      throw new ApiError(
        'conflict',
        'This Idempotency-Key was already used with a different request.',
        detail('already used with a different request'),
      );
    case 'in_flight':
      throw new ApiError(
        'conflict',
        'A request with this Idempotency-Key is still being processed.',
        detail('a request with this key is still running'),
      );
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

/** What identifies a request under its key: the operation and everything the handler reads. */
export interface IdempotentRequest {
  operationId: string;
  workspace_id: string;
  params: unknown;
  query: unknown;
  body: unknown;
}

/**
 * Answers a request sent with an `Idempotency-Key`: the stored response for a repeat (marked
 * `Idempotent-Replayed`), else `run`'s result, stored as sent; a failure releases the key so that a
 * retry runs again.
 */
export async function answerOnce(
  storage: Storage,
  reply: FastifyReply,
  key: string,
  request: IdempotentRequest,
  run: () => Promise<AnyResult>,
): Promise<FastifyReply> {
  const claim = await claimKey(
    storage,
    request.workspace_id,
    key,
    requestHash(request.operationId, request.params, request.query, request.body),
  );
  if (claim.kind === 'replay') {
    return reply
      .code(claim.response.status)
      .type(claim.response.content_type)
      .header('idempotent-replayed', 'true')
      .send(claim.response.body || undefined);
  }
  let result: AnyResult;
  try {
    result = await run();
  } catch (error) {
    await claim.release();
    throw error;
  }
  return sendResult(reply, result, claim);
}
