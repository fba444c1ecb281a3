import { Command } from 'commander';
import { unwrap, type Schemas } from '@sims/client';
import { ALL_PAGES, dateRangeOptions, fileOption, withContext } from '../command.js';
import { buildBody, requireFields } from '../input.js';
import { printDeleted, printList, printRecord, type Column } from '../output.js';

type Scenario = Schemas['SimulationScenarioReadOut'];

const COLUMNS: Column<Scenario>[] = [
  { head: 'id', value: (s) => s.id },
  { head: 'name', value: (s) => s.name },
  { head: 'description', value: (s) => s.description },
];

interface ScenarioFlags {
  name?: string;
  description?: string;
  file?: string;
}

function withScenarioFields(command: Command): Command {
  return command.option('--name <name>', 'scenario name').option('--description <text>', 'what the scenario steers generation towards').addOption(fileOption());
}

const bodyFlags = (flags: ScenarioFlags) => ({ name: flags.name, description: flags.description });

export function scenariosCommand(): Command {
  const scenarios = new Command('scenarios').description('simulation scenarios: templates that steer case generation');

  dateRangeOptions(scenarios.command('list').description('list every scenario (all pages)').option('--search <text>', 'only scenarios whose name contains this')).action(
    withContext(async (ctx, flags: { search?: string; since?: string; until?: string }) => {
      const query = { search: flags.search, start_date: flags.since, end_date: flags.until };
      await printList(ctx.client.paginate('/simulation_scenarios', { query, maxPages: ALL_PAGES }).items(), COLUMNS, ctx.json, 'scenario');
    }),
  );

  scenarios
    .command('get <scenario-id>')
    .description('show one scenario')
    .action(
      withContext(async (ctx, id: string) => {
        printRecord(await unwrap(ctx.client.GET('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: id } } })), ctx.json);
      }),
    );

  withScenarioFields(scenarios.command('create'))
    .description('create a scenario from flags and/or --file')
    .action(
      withContext(async (ctx, flags: ScenarioFlags) => {
        const body = await buildBody<Schemas['SimulationScenarioCreateIn']>(flags.file, bodyFlags(flags));
        requireFields(body, { name: '--name', description: '--description' });
        printRecord(await unwrap(ctx.client.POST('/simulation_scenarios', { body })), ctx.json);
      }),
    );

  withScenarioFields(scenarios.command('update <scenario-id>'))
    .description('change the fields given (flags and/or --file)')
    .action(
      withContext(async (ctx, id: string, flags: ScenarioFlags) => {
        const body = await buildBody<Schemas['SimulationScenarioUpdateIn']>(flags.file, bodyFlags(flags));
        printRecord(await unwrap(ctx.client.PUT('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: id } }, body })), ctx.json);
      }),
    );

  scenarios
    .command('delete <scenario-id>')
    .description('delete a scenario')
    .action(
      withContext(async (ctx, id: string) => {
        await unwrap(ctx.client.DELETE('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: id } } }));
        printDeleted('scenario', id, ctx.json);
      }),
    );

  return scenarios;
}
