import { explain, sims } from './cli.js';

/** Runs a CLI command that must succeed with `--json`, answering its parsed output. */
export async function simsJson<T = any>(server: { url: string; key: string }, args: string[]): Promise<T> {
  const result = await sims(['--base-url', server.url, '--api-key', server.key, '--json', ...args]);
  if (result.code !== 0) throw new Error(`sims ${args.join(' ')} failed\n${explain(result)}`);
  return JSON.parse(result.stdout) as T;
}

export interface CaseSpec {
  name: string;
  prompt: string;
  criteria: string[];
  successType?: 'all' | 'any';
}

/** An agent, a suite bound to it and its cases, all made through the CLI itself. */
export async function seedSuite(server: { url: string; key: string }, suiteName: string, cases: CaseSpec[]) {
  const agent = await simsJson(server, [
    'agents',
    'create',
    '--name',
    `${suiteName} agent`,
    '--prompt',
    'You are the support agent of Acme.',
  ]);
  const suite = await simsJson(server, ['suites', 'create', '--name', suiteName, '--agent', agent.id]);
  const caseIds: string[] = [];
  for (const spec of cases) {
    const args = [
      'cases',
      'create',
      '--suite',
      suite.id,
      '--name',
      spec.name,
      '--prompt',
      spec.prompt,
      '--success-type',
      spec.successType ?? 'all',
    ];
    for (const criterion of spec.criteria) args.push('--criterion', criterion);
    caseIds.push((await simsJson(server, args)).simulation_case_id);
  }
  return { agentId: agent.id as string, suiteId: suite.id as string, caseIds };
}
