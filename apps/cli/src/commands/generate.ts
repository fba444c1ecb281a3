import { Command, InvalidArgumentError, Option } from 'commander';
import type { Schemas } from '@sims/client';
import { withContext } from '../command.js';
import { EXIT } from '../errors.js';
import { collect } from '../input.js';
import { print } from '../output.js';

type Category = Schemas['SimulationCaseTestCategory'];

/** Keyed by the spec's enum, so the compiler refuses this list once a category is added or removed. */
const CATEGORY_KEYS: Record<Category, true> = {
  csat_score: true,
  accuracy_of_responses: true,
  script_compliance: true,
  angry_user: true,
  repetitive_phrases: true,
  conversational_naturalness: true,
  task_completion: true,
};
const isCategory = (value: string): value is Category => Object.hasOwn(CATEGORY_KEYS, value);
const CATEGORIES = Object.keys(CATEGORY_KEYS).filter(isCategory);

export function generateCommand(): Command {
  return new Command('generate')
    .description("generate cases from an agent's prompt, printing each as it arrives (--json: the NDJSON events)")
    .requiredOption('--agent <id>', 'the agent to generate cases for')
    .option('--suite <id>', 'save the cases in this suite')
    .addOption(
      new Option('--category <name>', 'a test category (repeat for several; default all)').choices(CATEGORIES).argParser(collectCategory),
    )
    .option('--scenario <id>', 'steer with this scenario (repeat for several; default every scenario)', collect)
    .option('--no-scenarios', 'use no scenario at all')
    .action(
      withContext(async (ctx, flags: { agent: string; suite?: string; category?: Category[]; scenario?: string[]; scenarios: boolean }) => {
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

function collectCategory(value: string, previous: Category[] | undefined) {
  // `argParser` replaces the parser `choices` installs, so the choice is checked here.
  if (!isCategory(value)) throw new InvalidArgumentError(`Allowed choices are ${CATEGORIES.join(', ')}.`);
  return [...(previous ?? []), value];
}
