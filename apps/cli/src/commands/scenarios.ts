import { Command } from 'commander';
import { unwrap, type ListItem, type Schemas } from '@sims/client';
import { ALL_PAGES, dateRangeOptions, withContext } from '../command.js';
import { printList, type Column } from '../output.js';
import { addRecordCommands } from './records.js';

const COLUMNS: Column<ListItem<'/simulation_scenarios'>>[] = [
  { head: 'id', value: (s) => s.id },
  { head: 'name', value: (s) => s.name },
  { head: 'description', value: (s) => s.description },
];

interface ScenarioFlags {
  name?: string;
  description?: string;
  file?: string;
}

export function scenariosCommand(): Command {
  const scenarios = new Command('scenarios').description('simulation scenarios: templates that steer case generation');

  dateRangeOptions(
    scenarios
      .command('list')
      .description('list every scenario (all pages)')
      .option('--search <text>', 'only scenarios whose name contains this'),
  ).action(
    withContext(async (ctx, flags: { search?: string; since?: string; until?: string }) => {
      const query = { search: flags.search, start_date: flags.since, end_date: flags.until };
      await printList(ctx.client.paginate('/simulation_scenarios', { query, maxPages: ALL_PAGES }).items(), COLUMNS, ctx.json, 'scenario');
    }),
  );

  return addRecordCommands<ScenarioFlags>(scenarios, {
    kind: 'scenario',
    fields: (command) =>
      command.option('--name <name>', 'scenario name').option('--description <text>', 'what the scenario steers generation towards'),
    body: (flags) => ({ name: flags.name, description: flags.description }),
    required: { name: '--name', description: '--description' },
    get: (client, id) => unwrap(client.GET('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: id } } })),
    create: (client, body) => unwrap(client.POST('/simulation_scenarios', { body: body as Schemas['SimulationScenarioCreateIn'] })),
    update: (client, id, body) =>
      unwrap(
        client.PUT('/simulation_scenarios/{scenario_id}', {
          params: { path: { scenario_id: id } },
          body: body as Schemas['SimulationScenarioUpdateIn'],
        }),
      ),
    remove: (client, id) => unwrap(client.DELETE('/simulation_scenarios/{scenario_id}', { params: { path: { scenario_id: id } } })),
  });
}
