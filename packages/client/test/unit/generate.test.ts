import { describe, expect, it } from 'vitest';
import { readNdjson, SimulationsApiError, type SimulationCaseGenerateEvent } from '../../src/index.js';
import { apiError, fakeFetch, testClient } from './helpers.js';

const events: SimulationCaseGenerateEvent[] = [
  { type: 'progress', message: 'Reading the agent prompt', completed: 0, total: 1 },
  {
    type: 'case',
    category: 'angry_user',
    scenario_id: null,
    simulation_case: {
      simulation_case_id: '9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d',
      workspace_id: 'ws',
      suite_id: null,
      name: 'Angry caller — “refund now”',
      prompt: 'You are furious.',
      type: 'agent_based',
      success_criteria: ['Agent stays calm'],
      call_success_type: 'all',
      base_agent: null,
      created_at: '2026-11-20T09:00:00Z',
      updated_at: '2026-11-20T09:00:00Z',
    },
  },
  { type: 'done', simulation_case_ids: ['9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d'] },
];

/** A body delivered in chunks cut at awkward places: inside a line and inside a multi-byte character. */
function chunkedStream(text: string, chunkSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('generateCases', () => {
  it('posts the request with an idempotency key and yields each NDJSON line as a typed event', async () => {
    const ndjson = `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
    const { fetch, sent } = fakeFetch(
      () => new Response(chunkedStream(ndjson, 7), { headers: { 'Content-Type': 'application/x-ndjson' } }),
    );
    const seen = await collect(testClient(fetch).generateCases({ agent_id: 'agent-1', include_tests: ['angry_user'] }));
    expect(seen).toEqual(events);
    expect(sent[0]?.request.method).toBe('POST');
    expect(sent[0]?.request.url).toBe('https://api.test/v2/simulation_cases/generate');
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({ agent_id: 'agent-1', include_tests: ['angry_user'] });
    expect(sent[0]?.request.headers.get('idempotency-key')).toMatch(/^[0-9a-f]{32}$/);
    const last = seen.at(-1);
    if (last?.type === 'done') expect(last.simulation_case_ids).toHaveLength(1);
    else expect.fail('the last event is not done');
  });

  it('uses the idempotency key given', async () => {
    const { fetch, sent } = fakeFetch(() => new Response('{"type":"done","simulation_case_ids":[]}'));
    await collect(testClient(fetch).generateCases({ agent_id: 'a' }, { idempotencyKey: 'gen-1' }));
    expect(sent[0]?.request.headers.get('idempotency-key')).toBe('gen-1');
  });

  it('rejects with SimulationsApiError when the request is refused', async () => {
    const { fetch } = fakeFetch(() => apiError(404, 'not_found', { message: 'No agent a' }));
    await expect(collect(testClient(fetch).generateCases({ agent_id: 'a' }))).rejects.toBeInstanceOf(SimulationsApiError);
  });

  it('closes the stream when the caller stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"type":"progress","message":"m","completed":0,"total":9}\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const { fetch } = fakeFetch(() => new Response(body));
    for await (const event of testClient(fetch).generateCases({ agent_id: 'a' })) {
      expect(event.type).toBe('progress');
      break;
    }
    expect(cancelled).toBe(true);
  });
});

describe('readNdjson', () => {
  it('handles a last line without a newline, blank lines and CRLF', async () => {
    const values = await collect(readNdjson(chunkedStream('{"a":1}\r\n\n{"a":2}\n  \n{"a":3}', 3)));
    expect(values).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('throws on a line that is not JSON', async () => {
    await expect(collect(readNdjson(chunkedStream('{"a":1}\nnot json\n', 64)))).rejects.toThrow(SyntaxError);
  });
});
