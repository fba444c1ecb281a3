import { Command, Option } from 'commander';
import { unwrap, type ListItem, type Schemas } from '@sims/client';
import { ALL_PAGES, dateRangeOptions, fileOption, withContext } from '../command.js';
import { buildBody, collect, parseInteger, requireFields } from '../input.js';
import { print, printDeleted, printJson, printList, printRecord, type Column } from '../output.js';

type Suite = ListItem<'/simulation_suites'>;

const COLUMNS: Column<Suite>[] = [
  { head: 'id', value: (s) => s.id },
  { head: 'name', value: (s) => s.name },
  { head: 'agent', value: (s) => s.agent?.name ?? s.model_id },
  { head: 'language', value: (s) => s.language },
  { head: 'cases', value: (s) => s.case_summaries.length },
];

interface SuiteFlags {
  name?: string;
  agent?: string;
  language?: string;
  file?: string;
}

function withSuiteFields(command: Command): Command {
  return command
    .option('--name <name>', 'suite name')
    .option('--agent <id>', 'the agent the suite tests (model_id)')
    .option('--language <locale>', 'locale of the conversations, e.g. en-US')
    .addOption(fileOption());
}

const bodyFlags = (flags: SuiteFlags) => ({ name: flags.name, model_id: flags.agent, language: flags.language });

export function suitesCommand(): Command {
  const suites = new Command('suites').description('simulation suites: groups of cases run together against one agent');

  dateRangeOptions(
    suites
      .command('list')
      .description('list every suite (all pages)')
      .option('--search <text>', 'only suites whose name contains this')
      .option('--agent <id>', 'only suites of this agent (repeat for several)', collect),
  ).action(
    withContext(async (ctx, flags: { search?: string; agent?: string[]; since?: string; until?: string }) => {
      const query = { search: flags.search, model_ids: flags.agent, start_date: flags.since, end_date: flags.until };
      await printList(ctx.client.paginate('/simulation_suites', { query, maxPages: ALL_PAGES }).items(), COLUMNS, ctx.json, 'suite');
    }),
  );

  suites
    .command('get <suite-id>')
    .description('show one suite with its cases')
    .action(
      withContext(async (ctx, id: string) => {
        printRecord(await unwrap(ctx.client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: id } } })), ctx.json);
      }),
    );

  withSuiteFields(suites.command('create'))
    .description('create a suite from flags and/or --file')
    .action(
      withContext(async (ctx, flags: SuiteFlags) => {
        const body = await buildBody<Schemas['SimulationSuiteCreateIn']>(flags.file, bodyFlags(flags));
        requireFields(body, { name: '--name', model_id: '--agent' });
        printRecord(await unwrap(ctx.client.POST('/simulation_suites', { body })), ctx.json);
      }),
    );

  withSuiteFields(suites.command('update <suite-id>'))
    .description('change the fields given; a new --agent rebinds the suite')
    .action(
      withContext(async (ctx, id: string, flags: SuiteFlags) => {
        const body = await buildBody<Schemas['SimulationSuiteUpdateIn']>(flags.file, bodyFlags(flags));
        printRecord(await unwrap(ctx.client.PUT('/simulation_suites/{suite_id}', { params: { path: { suite_id: id } }, body })), ctx.json);
      }),
    );

  suites
    .command('delete <suite-id>')
    .description('delete a suite and its cases (runs already made are kept)')
    .action(
      withContext(async (ctx, id: string) => {
        await unwrap(ctx.client.DELETE('/simulation_suites/{suite_id}', { params: { path: { suite_id: id } } }));
        printDeleted('suite', id, ctx.json);
      }),
    );

  suites
    .command('execute <suite-id>')
    .description('start a run of every case and print the session id without waiting (see `sims run` to wait)')
    .option('--agent <id>', "the agent to run on; default the suite's own (model_id)")
    .addOption(new Option('--max-turns <n>', 'turn limit of each simulation (10-50)').argParser(parseInteger('--max-turns')))
    .action(
      withContext(async (ctx, id: string, flags: { agent?: string; maxTurns?: number }) => {
        const agent = flags.agent ?? (await unwrap(ctx.client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: id } } }))).model_id;
        const execution = await unwrap(
          ctx.client.POST('/simulation_suites/{suite_id}/execute', {
            params: { path: { suite_id: id }, query: { target_agent_id: agent, max_turns: flags.maxTurns }, header: { 'Idempotency-Key': crypto.randomUUID() } },
          }),
        );
        if (ctx.json) printJson(execution);
        else print(`started session ${execution.session_id}: ${execution.total_cases} cases of ${execution.suite_name}`);
      }),
    );

  return suites;
}
