import { describe, expect, it } from 'vitest';
import { explain, sims } from './support/cli.js';

describe('help texts', () => {
  it('puts "an" before a vowel: sims agents create --help', async () => {
    const result = await sims(['agents', 'create', '--help']);
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toContain('create an agent from flags and/or --file');
  });

  it('names each record command with the right article', async () => {
    const agents = await sims(['agents', '--help']);
    expect(agents.stdout).toMatch(/create \[options\] +create an agent from/);
    expect(agents.stdout).toMatch(/delete <agent-id> +delete an agent\n/);
    const cases = await sims(['cases', '--help']);
    expect(cases.stdout).toMatch(/create \[options\] +create a case from/);
    expect(`${agents.stdout}${cases.stdout}`).not.toMatch(/\ba [aeiou]/);
  });
});
