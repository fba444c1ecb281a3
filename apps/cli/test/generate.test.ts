import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueOnlyEngine, type CaseDraft, type GenerationPlan, type GenerationRequest } from '@sims/server';
import { CLI, cleanEnv, explain, type CliResult } from './support/cli.js';
import { simsJson } from './support/seed.js';
import { startTestServer, type TestServer } from './support/server.js';

function draft(name: string): CaseDraft {
  return {
    category: 'task_completion',
    scenario_id: null,
    name,
    prompt: `${name}: ask and hang up.`,
    success_criteria: ['Agent answered'],
    call_success_type: 'all',
    checks: [],
    caller_turns: [],
  };
}

/**
 * A generator that sends one case, then holds the second until the test releases it, and then
 * fails: the CLI can only show the first case before the release if it prints events as they arrive.
 */
class HeldGenerator extends QueueOnlyEngine {
  release!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));

  override async planCases(_request: GenerationRequest): Promise<GenerationPlan> {
    const released = this.released;
    return {
      total: 3,
      drafts: (async function* () {
        yield draft('First case');
        await released;
        yield draft('Second case');
        throw new Error('the generator lost its model');
      })(),
    };
  }
}

describe('sims generate against the real server', () => {
  let server: TestServer;
  let engine: HeldGenerator;
  beforeAll(async () => {
    server = await startTestServer(() => (engine = new HeldGenerator()));
  });
  afterAll(() => server?.stop());

  it('prints each case as it arrives, and a generation error as one line with exit 2', async () => {
    const agent = await simsJson(server, ['agents', 'create', '--name', 'Gen agent', '--prompt', 'You sell shoes.']);
    const result = await new Promise<CliResult>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, '--base-url', server.url, '--api-key', server.key, 'generate', '--agent', agent.id], {
        env: cleanEnv(),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // The first case is on screen while the server still holds the second.
        if (stdout.includes('+ First case')) engine.release();
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.code, explain(result)).toBe(2);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^\[0\/3\] /),
      expect.stringMatching(/^\+ First case \(task_completion\) [0-9a-f-]{36}$/),
      expect.stringMatching(/^\[1\/3\] /),
      expect.stringMatching(/^\+ Second case \(task_completion\) [0-9a-f-]{36}$/),
      expect.stringMatching(/^\[2\/3\] /),
    ]);
    expect(result.stderr).toBe('error: generation stopped: generator_failed: the generator lost its model\n');
    // The cases sent before the error were saved.
    const saved = await simsJson(server, ['cases', 'by-agent', agent.id]);
    expect(saved.map((c: { name: string }) => c.name).sort()).toEqual(['First case', 'Second case']);
  });
});
