import { Command, Option } from 'commander';
import { unwrap, type Schemas } from '@sims/client';
import { ALL_PAGES, withContext } from '../command.js';
import { collect } from '../input.js';
import { printList, type Column } from '../output.js';
import { addRecordCommands } from './records.js';

type Case = Schemas['SimulationCaseReadOut'];

const COLUMNS: Column<Case>[] = [
  { head: 'id', value: (c) => c.simulation_case_id },
  { head: 'name', value: (c) => c.name },
  { head: 'suite', value: (c) => c.suite_id },
  { head: 'criteria', value: (c) => c.success_criteria.length },
  { head: 'success', value: (c) => c.call_success_type },
];

interface CaseFlags {
  name?: string;
  prompt?: string;
  criterion?: string[];
  successType?: string;
  suite?: string;
  baseAgent?: string;
  type?: string;
  file?: string;
}

export function casesCommand(): Command {
  const cases = new Command('cases').description(
    'simulation cases: a caller to simulate and the criteria the conversation is judged by (checks and caller turns: in --file)',
  );

  cases
    .command('list')
    .description('list every case (all pages)')
    .option('--suite <id>', 'only cases of this suite')
    .option('--search <text>', 'only cases whose name contains this')
    .addOption(new Option('--type <type>', 'only cases of this type').choices(['custom', 'agent_based']))
    .action(
      withContext(async (ctx, flags: { suite?: string; search?: string; type?: Case['type'] }) => {
        const query = { suite_id: flags.suite, search: flags.search, simulation_case_type: flags.type };
        await printList(ctx.client.paginate('/simulation_cases', { query, maxPages: ALL_PAGES }).items(), COLUMNS, ctx.json, 'case');
      }),
    );

  cases
    .command('by-agent <agent-id>')
    .description('cases based on an agent or in its suites')
    .action(
      withContext(async (ctx, agentId: string) => {
        const items = await unwrap(ctx.client.GET('/simulation_cases/by_agent', { params: { query: { agent_id: agentId } } }));
        await printList(items, COLUMNS, ctx.json, 'case');
      }),
    );

  return addRecordCommands<CaseFlags>(
    cases,
    {
      kind: 'case',
      fields: (command) =>
        command
          .option('--name <name>', 'case name')
          .option('--prompt <text>', "the simulated caller's instructions")
          .option('--criterion <text>', 'a success criterion (repeat for several)', collect)
          .addOption(new Option('--success-type <type>', 'how criteria combine').choices(['all', 'any']))
          .option('--suite <id>', 'the suite the case belongs to'),
      createOnly: (command) =>
        command
          .option('--base-agent <id>', 'the agent the case is based on')
          .addOption(new Option('--type <type>', 'case type (deprecated by the API)').choices(['custom', 'agent_based'])),
      body: (flags) => ({
        name: flags.name,
        prompt: flags.prompt,
        success_criteria: flags.criterion,
        call_success_type: flags.successType,
        suite_id: flags.suite,
        base_agent_id: flags.baseAgent,
        type: flags.type,
      }),
      required: { name: '--name', prompt: '--prompt', success_criteria: '--criterion', call_success_type: '--success-type' },
      get: (client, id) => unwrap(client.GET('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } } })),
      // The API nests the created case under `simulation_case` (as the reference does).
      create: async (client, body) =>
        (await unwrap(client.POST('/simulation_cases', { body: body as Schemas['SimulationCaseCreateIn'] }))).simulation_case,
      update: (client, id, body) =>
        unwrap(
          client.PUT('/simulation_cases/{simulation_case_id}', {
            params: { path: { simulation_case_id: id } },
            body: body as Schemas['SimulationCaseUpdateIn'],
          }),
        ),
      remove: (client, id) =>
        unwrap(client.DELETE('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } } })),
    },
    { delete: 'delete a case (runs already made keep their copy)' },
  );
}
