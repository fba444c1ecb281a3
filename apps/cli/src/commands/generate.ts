import { Command, Option } from 'commander';
import type { Schemas } from '@sims/client';
import { withContext } from '../command.js';
import { EXIT } from '../errors.js';
import { collect } from '../input.js';
import { print } from '../output.js';

const CATEGORIES: Schemas['SimulationCaseTestCategory'][] = [
  'csat_score',
  'accuracy_of_responses',
  'script_compliance',
  'angry_user',
  'repetitive_phrases',
  'conversational_naturalness',
  'task_completion',
];

export function generateCommand(): Command {
  return new Command('generate')
    .description("generate cases from an agent's prompt, printing each as it arrives (--json: the NDJSON events)")
    .requiredOption('--agent <id>', 'the agent to generate cases for')
    .option('--suite <id>', 'save the cases in this suite')
    .addOption(new Option('--category <name>', 'a test category (repeat for several; default all)').choices(CATEGORIES).argParser(collectCategory))
    .option('--scenario <id>', 'steer with this scenario (repeat for several; default every scenario)', collect)
    .option('--no-scenarios', 'use no scenario at all')
    .action(
      withContext(async (ctx, flags: { agent: string; suite?: string; category?: Schemas['SimulationCaseTestCategory'][]; scenario?: string[]; scenarios: boolean }) => {
        const body: Schemas['SimulationCaseGenerateIn'] = {
          agent_id: flags.agent,
          suite_id: flags.suite,
          include_tests: flags.category,
          scenario_ids: flags.scenarios ? flags.scenario : [],
        };
        let failed = false;
        for await (const event of ctx.client.generateCases(body)) {
          if (ctx.json) {
            print(JSON.stringify(event));
          } else if (event.type === 'progress') {
            print(`[${event.completed}/${event.total}] ${event.message}`);
          } else if (event.type === 'case') {
            print(`+ ${event.simulation_case.name} (${event.category}) ${event.simulation_case.simulation_case_id}`);
          } else if (event.type === 'done') {
            print(`generated ${event.simulation_case_ids.length} case${event.simulation_case_ids.length === 1 ? '' : 's'}`);
          }
          if (event.type === 'error') {
            failed = true;
            process.stderr.write(`error: generation stopped: ${event.error.code}: ${event.error.message}\n`);
          }
        }
        return failed ? EXIT.error : EXIT.passed;
      }),
    );
}

function collectCategory(value: string, previous: Schemas['SimulationCaseTestCategory'][] | undefined) {
  return [...(previous ?? []), value as Schemas['SimulationCaseTestCategory']];
}
