import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The package scripts a user runs (`pnpm start`, `pnpm --filter @sims/client test`): checked here,
// beside the CLI's own tests, because the workspace has no test package of its own.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Manifest {
  dir: string;
  name: string;
  scripts: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { name: string; scripts?: Record<string, string> };
  return { dir, name: pkg.name, scripts: pkg.scripts ?? {} };
}

const workspaces = [
  'spec',
  ...['packages', 'apps'].flatMap((parent) => readdirSync(join(ROOT, parent)).map((name) => `${parent}/${name}`)),
].filter((dir) => existsSync(join(ROOT, dir, 'package.json')));
const manifests = [readManifest('.'), ...workspaces.map(readManifest)];

/** Each command of a script (split at `&&`, `||`, `;`, `|`) as its leading `NAME=value` pairs and the program it runs. */
function commands(script: string): { env: Record<string, string>; program: string }[] {
  return script.split(/&&|\|\||;|\|/).map((part) => {
    const words = part.trim().split(/\s+/);
    const env: Record<string, string> = {};
    while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
      const [name = '', value = ''] = (words.shift() ?? '').split('=');
      env[name] = value;
    }
    return { env, program: words[0] ?? '' };
  });
}

const REDOCLY_OFF = { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' };
// turbo runs the spec's redocly tasks too, and passes these through (turbo.json globalPassThroughEnv).
const TURBO_OFF = { TURBO_TELEMETRY_DISABLED: '1', ...REDOCLY_OFF };

describe('workspace scripts', () => {
  const calls = manifests.flatMap((m) =>
    Object.entries(m.scripts).flatMap(([script, line]) =>
      commands(line)
        .filter((c) => c.program === 'turbo' || c.program === 'redocly')
        .map((c) => ({ where: `${m.dir} ${script}`, ...c })),
    ),
  );

  it('run turbo and redocly with telemetry and update checks off', () => {
    for (const call of calls) {
      expect(call.env, `${call.where}: ${call.program}`).toMatchObject(call.program === 'turbo' ? TURBO_OFF : REDOCLY_OFF);
    }
  });

  it('cover the scripts a user starts with', () => {
    const where = new Set(calls.map((c) => c.where));
    for (const script of ['start', 'demo', 'mock', 'lint:spec', 'test', 'typecheck', 'sims', 'fuzz'])
      expect(where).toContain(`. ${script}`);
    for (const dir of ['spec', 'packages/client', 'apps/cli', 'apps/server']) expect(where).toContain(`${dir} test`);
  });

  it('let each package test itself: `test` asks turbo for `test:vitest` of that package only', () => {
    const turbo = JSON.parse(readFileSync(join(ROOT, 'turbo.json'), 'utf8')) as { tasks: Record<string, unknown> };
    // A turbo task named `test` would run the `test` scripts, which call turbo again: a loop.
    expect(Object.keys(turbo.tasks)).not.toContain('test');
    expect(turbo.tasks).toHaveProperty('test:vitest');
    const tested = manifests.filter((m) => m.dir !== '.' && m.scripts.test !== undefined);
    expect(tested.map((m) => m.dir)).toEqual(
      expect.arrayContaining(['spec', 'packages/client', 'packages/engine', 'apps/cli', 'apps/server']),
    );
    for (const m of tested) {
      const [run] = commands(m.scripts.test ?? '');
      expect(m.scripts.test, m.dir).toContain(`turbo run test:vitest --filter=${m.name} `);
      expect(run?.program, m.dir).toBe('turbo');
      expect(m.scripts['test:vitest'], m.dir).toMatch(/^vitest run\b/);
    }
    expect(readManifest('.').scripts.test).toMatch(/ turbo run test:vitest$/);
  });
});
