import { Command, Option } from 'commander';
import { unwrap, type ListItem, type Schemas } from '@sims/client';
import { ALL_PAGES, dateRangeOptions, withContext } from '../command.js';
import { collect, parseInteger } from '../input.js';
import { print, printJson, printList, type Column } from '../output.js';
import { addRecordCommands } from './records.js';

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

  addRecordCommands<SuiteFlags>(
    suites,
    {
      kind: 'suite',
      fields: (command) =>
        command
          .option('--name <name>', 'suite name')
          .option('--agent <id>', 'the agent the suite tests (model_id); a new one rebinds the suite')
          .option('--language <locale>', 'locale of the conversations, e.g. en-US'),
      body: (flags) => ({ name: flags.name, model_id: flags.agent, language: flags.language }),
      required: { name: '--name', model_id: '--agent' },
      get: (client, id) => unwrap(client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: id } } })),
      create: (client, body) => unwrap(client.POST('/simulation_suites', { body: body as Schemas['SimulationSuiteCreateIn'] })),
      update: (client, id, body) =>
        unwrap(
          client.PUT('/simulation_suites/{suite_id}', {
            params: { path: { suite_id: id } },
            body: body as Schemas['SimulationSuiteUpdateIn'],
          }),
        ),
      remove: (client, id) => unwrap(client.DELETE('/simulation_suites/{suite_id}', { params: { path: { suite_id: id } } })),
    },
    { get: 'show one suite with its cases', delete: 'delete a suite and its cases (runs already made are kept)' },
  );

  suites
    .command('execute <suite-id>')
    .description('start a run of every case and print the session id without waiting (see `sims run` to wait)')
    .option('--agent <id>', "the agent to run on; default the suite's own (model_id)")
    .addOption(new Option('--max-turns <n>', 'turn limit of each simulation (10-50)').argParser(parseInteger('--max-turns')))
    .action(
      withContext(async (ctx, id: string, flags: { agent?: string; maxTurns?: number }) => {
        const agent =
          flags.agent ?? (await unwrap(ctx.client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: id } } }))).model_id;
        const execution = await unwrap(
          ctx.client.POST('/simulation_suites/{suite_id}/execute', {
            params: {
              path: { suite_id: id },
              query: { target_agent_id: agent, max_turns: flags.maxTurns },
              header: { 'Idempotency-Key': crypto.randomUUID() },
            },
          }),
        );
        if (ctx.json) printJson(execution);
        else print(`started session ${execution.session_id}: ${execution.total_cases} cases of ${execution.suite_name}`);
      }),
    );

  return suites;
}
