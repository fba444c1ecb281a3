import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv } from './support/cli.js';
import { seedSuite } from './support/seed.js';
import { SteppedEngine, startTestServer, type TestServer } from './support/server.js';

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the CLI inside a pseudo-terminal with util-linux `script` (Debian's default install), so its
 * stdout and stderr are a TTY, and answers everything the terminal received.
 */
function inTerminal(args: string[]): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: cleanEnv({ TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
    child.stdin.end();
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const BAR = /([█░]+) (\d+)\/(\d+) done \| completed (\d+) \| failed (\d+) \| pending (\d+)/;

describe('sims run in a terminal', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer((storage) => new SteppedEngine(storage));
  });
  afterAll(() => server?.stop());

  it('draws a progress bar that moves, then the table', async () => {
    const { suiteId } = await seedSuite(server, 'Terminal suite', [
      { name: 'One', prompt: 'Ask one thing.', criteria: ['Agent answered'] },
      { name: 'Two', prompt: 'Ask two things.', criteria: ['Agent answered'] },
      { name: 'Three', prompt: 'Ask three things.', criteria: ['Agent answered'] },
    ]);
    // Each read of the session finishes one more case (SteppedEngine), so the bar has states to show.
    const { code, screen } = await inTerminal(['--base-url', server.url, '--api-key', server.key, 'run', suiteId, '--interval', '250']);
    expect(code, screen).toBe(0);

    // The bar redraws in place (carriage returns and cursor codes), never as plain progress lines.
    expect(screen).not.toContain('progress:');
    const frames = screen
      .replace(ANSI, '\n')
      .split(/[\r\n]+/)
      .map((line) => BAR.exec(line))
      .filter((match) => match !== null);
    const states = [...new Set(frames.map((match) => `${match[1]} ${match[2]}/${match[3]}`))];
    expect(states.length, screen).toBeGreaterThanOrEqual(2);

    const done = frames.map((match) => Number(match[2]));
    expect(done[0], screen).toBe(0);
    expect(done.at(-1), screen).toBe(3);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // The filled part of the bar grows with the count.
    const filled = (bar: string | undefined) => [...(bar ?? '')].filter((c) => c === '█').length;
    expect(filled(frames.at(-1)![1])).toBeGreaterThan(filled(frames[0]![1]));

    expect(screen).toMatch(/│ Three\s+│ PASS\s+│ 1\/1\s+│/);
    expect(screen).toContain('3 passed, 0 failed of 3 cases');
  });
});
