import { describe, expect, it } from 'vitest';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import type { GenerationPlan, GenerationRequest } from '../src/engine/types.js';
import { apiClient, startTestServer } from './support/server.js';

/** An engine whose case generation waits until the test lets it go on: a request held in flight. */
class GatedEngine extends QueueOnlyEngine {
  release!: () => void;
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  override async planCases(request: GenerationRequest): Promise<GenerationPlan> {
    const plan = await super.planCases(request);
    const gate = this.gate;
    return {
      total: plan.total,
      drafts: (async function* () {
        await gate;
        yield* plan.drafts;
      })(),
    };
  }
}

describe('graceful shutdown', () => {
  it('finishes a request in flight, then refuses new connections', async () => {
    const engine = new GatedEngine();
    const server = await startTestServer({ engine: () => engine });
    const agent = (await apiClient(server.url, server.key).POST('/agents', { body: { name: 'A', prompt: 'p' } })).data!.response.id;
    const response = await fetch(`${server.url}/simulation_cases/generate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ agent_id: agent, include_tests: ['task_completion'], scenario_ids: [] }),
    });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"type":"progress"');

    const stopped = server.stop();
    engine.release();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    await stopped;
    const lines = (first + rest)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['progress', 'case', 'progress', 'done']);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});
