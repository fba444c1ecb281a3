import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEMO_CASES } from '../src/demo.js';

/** The main job (`pnpm demo`), run as a user runs it: its own process, no configuration. */
const run = promisify(execFile);
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('the demo', () => {
  it('seeds, runs the suite with progress and prints every case with its verdicts; some pass, some fail', async () => {
    const env = { ...process.env };
    delete env.SIMS_DATA_DIR;
    delete env.SIMS_LLM_BASE_URL;
    const { stdout } = await run(process.execPath, [tsx, main, 'demo'], { env, timeout: 120_000 });
    expect(stdout).toMatch(/Seeded agent .* with 6 cases/);
    expect(stdout).toMatch(/session .*: 6 simulations started/);
    expect(stdout).toMatch(/\[ 6\/6\] \d completed, \d failed, 0 pending/);
    for (const demoCase of DEMO_CASES) {
      const line = stdout.split('\n').find((l) => l.endsWith(demoCase.name));
      expect(line, demoCase.name).toMatch(/^(PASS|FAIL) /);
      expect(line!.startsWith(demoCase.name.includes('fails on purpose') ? 'FAIL' : 'PASS'), demoCase.name).toBe(true);
    }
    expect(stdout).toContain('[PASSED] the agent calls lookup_order {"order_id":"12345"}');
    expect(stdout).toContain('[FAILED] The agent creates a refund for order 45678');
    expect(stdout).toContain('[NOT EVALUATED] The agent apologises to the caller');
    expect(stdout).toMatch(/needs an LLM judge/);
    expect(stdout).toContain('3 of 6 cases passed, 3 failed');
  });
});
