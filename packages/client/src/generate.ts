import type { Client } from 'openapi-fetch';
import type { paths } from '@sims/api-types';
import { SimulationsApiError } from './errors.js';
import { randomId } from './ids.js';
import type { SimulationCaseGenerateEvent, SimulationCaseGenerateIn } from './types.js';

export interface GenerateCasesOptions {
  /** Sent as `Idempotency-Key` so that a retried request does not generate twice; random when omitted. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** Reads a stream of newline-delimited JSON, one value a line; blank lines are skipped. */
export async function* readNdjson<T>(stream: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const lines = buffer.split('\n');
      buffer = done ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        if (line.trim() !== '') yield JSON.parse(line) as T;
      }
      if (done) return;
    }
  } finally {
    // Also runs when the caller stops iterating early: closes the connection.
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Generates cases and yields the stream's events as they arrive: `progress`, one `case` per saved
 * case, then `done` — or an `error` event if generation stopped part-way (cases sent before it are
 * saved). An error answer before the stream starts rejects with a `SimulationsApiError`.
 */
export async function* generateCases(
  client: Client<paths>,
  body: SimulationCaseGenerateIn,
  options: GenerateCasesOptions = {},
): AsyncGenerator<SimulationCaseGenerateEvent> {
  const { data, error, response } = await client.POST('/simulation_cases/generate', {
    body,
    params: { header: { 'Idempotency-Key': options.idempotencyKey ?? randomId() } },
    parseAs: 'stream',
    signal: options.signal,
  });
  if (error !== undefined || !response.ok) throw new SimulationsApiError(response, error);
  if (!data) throw new TypeError('generateCases: the answer has no body');
  yield* readNdjson<SimulationCaseGenerateEvent>(data);
}
