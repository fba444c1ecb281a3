import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built command, as a user runs it (`pnpm --filter @sims/cli build` first; turbo's test task does it). */
export const CLI = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment without any SIMS_* variable of the machine running the tests, nor its COLUMNS
 * (the results table reads it), so output is the same wherever the tests run.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SIMS_') && name !== 'COLUMNS'));
  return { ...env, NO_COLOR: '1', ...extra };
}

/**
 * Runs the built CLI in a child process with pipes (so not a terminal). Asynchronous on purpose:
 * the servers the tests start live in this process and must keep answering while the CLI runs.
 */
export function sims(args: string[], options: { env?: Record<string, string>; input?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: cleanEnv(options.env),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Fails with everything the CLI printed, which is what one needs to see when an exit code is wrong. */
export function explain(result: CliResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/**
 * Starts the built CLI in a child process and lets the test act while it runs: `printed(text)`
 * resolves once stderr contains `text` (a line the CLI writes once it has reached a state), and
 * `done` with everything it printed when it exits.
 */
export function startSims(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const wait of waiting.filter((w) => stderr.includes(w.text))) {
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    child,
    done,
    printed: (text: string) =>
      new Promise<void>((resolve, reject) => {
        if (stderr.includes(text)) return resolve();
        waiting.push({ text, resolve });
        done.then((result) => reject(new Error(`the CLI exited before printing ${JSON.stringify(text)}\n${explain(result)}`)));
      }),
  };
}
