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

  it('lists the webhooks commands, and says the secret is printed once: sims webhooks --help', async () => {
    const result = await sims(['webhooks', '--help']);
    expect(result.code, explain(result)).toBe(0);
    const commands = [...result.stdout.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]);
    expect(commands).toEqual(['list', 'create', 'get', 'update', 'delete', 'rotate-secret', 'deliveries', 'redeliver', 'help']);
    expect(result.stdout).toMatch(
      /create \[options\] +create a webhook endpoint \(flags and\/or --file\); prints its signing secret, this once/,
    );
    expect(result.stdout).toMatch(/rotate-secret <endpoint-id> +make a new signing secret and print it, this once; for 24 hours/);
    expect(result.stdout).toMatch(/redeliver <endpoint-id> <delivery-id>/);
    const update = await sims(['webhooks', 'update', '--help']);
    expect(update.stdout).toMatch(
      /--events <types> +comma-separated events to send \(simulation\.completed,\s+simulation\.failed, session\.completed,\s+session\.cancelled\); replaces the list/,
    );
    expect(update.stdout).toMatch(/--enable +send events to it again/);
    expect(update.stdout).toMatch(/--disable +stop sending events to it/);
    expect((await sims(['webhooks', 'create', '--help'])).stdout).toMatch(/session\.cancelled\); default all/);
    expect((await sims(['--help'])).stdout).toMatch(/^ {2}webhooks +webhook endpoints: /m);
  });

  it('refuses a test category the spec does not have before any call: sims generate --category', async () => {
    // No server listens on port 9: a request would fail differently, so the refusal is local.
    const result = await sims([
      '--base-url',
      'http://127.0.0.1:9',
      '--api-key',
      'k',
      'generate',
      '--agent',
      'a',
      '--category',
      'angry_user',
      '--category',
      'politeness',
    ]);
    expect(result.code, explain(result)).toBe(2);
    expect(result.stderr).toMatch(
      /option '--category <name>' argument 'politeness' is invalid\. Allowed choices are csat_score, accuracy_of_responses, .*task_completion\./,
    );
  });
});
