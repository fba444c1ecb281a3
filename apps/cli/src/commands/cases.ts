import { Command, Option } from 'commander';
import { unwrap, type Schemas } from '@sims/client';
import { ALL_PAGES, fileOption, withContext } from '../command.js';
import { buildBody, collect, requireFields } from '../input.js';
import { printDeleted, printList, printRecord, type Column } from '../output.js';

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

function bodyFlags(flags: CaseFlags) {
  return {
    name: flags.name,
    prompt: flags.prompt,
    success_criteria: flags.criterion,
    call_success_type: flags.successType,
    suite_id: flags.suite,
  };
}

function withCaseFields(command: Command): Command {
  return command
    .option('--name <name>', 'case name')
    .option('--prompt <text>', "the simulated caller's instructions")
    .option('--criterion <text>', 'a success criterion (repeat for several)', collect)
    .addOption(new Option('--success-type <type>', 'how criteria combine').choices(['all', 'any']))
    .option('--suite <id>', 'the suite the case belongs to')
    .addOption(fileOption());
}

export function casesCommand(): Command {
  const cases = new Command('cases').description('simulation cases: a caller to simulate and the criteria the conversation is judged by');

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

  cases
    .command('get <case-id>')
    .description('show one case')
    .action(
      withContext(async (ctx, id: string) => {
        printRecord(await unwrap(ctx.client.GET('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } } })), ctx.json);
      }),
    );

  withCaseFields(cases.command('create'))
    .description('create a case from flags and/or --file')
    .option('--base-agent <id>', 'the agent the case is based on')
    .addOption(new Option('--type <type>', 'case type (deprecated by the API)').choices(['custom', 'agent_based']))
    .action(
      withContext(async (ctx, flags: CaseFlags) => {
        const body = await buildBody<Schemas['SimulationCaseCreateIn']>(flags.file, { ...bodyFlags(flags), base_agent_id: flags.baseAgent, type: flags.type });
        requireFields(body, { name: '--name', prompt: '--prompt', success_criteria: '--criterion', call_success_type: '--success-type' });
        const created = await unwrap(ctx.client.POST('/simulation_cases', { body }));
        printRecord(created.simulation_case, ctx.json);
      }),
    );

  withCaseFields(cases.command('update <case-id>'))
    .description('change the fields given (flags and/or --file)')
    .action(
      withContext(async (ctx, id: string, flags: CaseFlags) => {
        const body = await buildBody<Schemas['SimulationCaseUpdateIn']>(flags.file, bodyFlags(flags));
        printRecord(await unwrap(ctx.client.PUT('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } }, body })), ctx.json);
      }),
    );

  cases
    .command('delete <case-id>')
    .description('delete a case (runs already made keep their copy)')
    .action(
      withContext(async (ctx, id: string) => {
        await unwrap(ctx.client.DELETE('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } } }));
        printDeleted('case', id, ctx.json);
      }),
    );

  return cases;
}
