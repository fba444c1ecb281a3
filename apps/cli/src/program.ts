import { Command, Option } from 'commander';
import { REGION_BASE_URLS, unwrap } from '@sims/client';
import { withContext } from './command.js';
import { agentsCommand } from './commands/agents.js';
import { casesCommand } from './commands/cases.js';
import { generateCommand } from './commands/generate.js';
import { runCommand } from './commands/run.js';
import { scenariosCommand } from './commands/scenarios.js';
import { sessionsCommand, simulationsCommand } from './commands/simulations.js';
import { suitesCommand } from './commands/suites.js';
import { webhooksCommand } from './commands/webhooks.js';
import { printRecord } from './output.js';
import { VERSION } from './version.js';

function healthCommand(): Command {
  return new Command('health').description('check that the API answers (needs no valid key)').action(
    withContext(
      async (ctx) => {
        printRecord(await unwrap(ctx.client.GET('/health')), ctx.json);
      },
      { keyOptional: true },
    ),
  );
}

/** The `sims` command tree. Global options are read by every sub-command through `optsWithGlobals`. */
export function buildProgram(): Command {
  const program = new Command('sims')
    .description('Simulation testing for conversational AI agents: manage cases and suites, run them, gate CI on the results')
    .version(VERSION)
    .addOption(new Option('--base-url <url>', 'API base URL, e.g. http://127.0.0.1:4010/v2').env('SIMS_BASE_URL').conflicts('region'))
    .addOption(new Option('--region <region>', 'public API region').choices(Object.keys(REGION_BASE_URLS)).env('SIMS_REGION'))
    .addOption(new Option('--api-key <key>', 'workspace API key').env('SIMS_API_KEY'))
    .option('--json', 'machine-readable output: JSON on stdout')
    .showSuggestionAfterError();
  for (const command of [
    runCommand(),
    generateCommand(),
    casesCommand(),
    suitesCommand(),
    scenariosCommand(),
    simulationsCommand(),
    sessionsCommand(),
    agentsCommand(),
    webhooksCommand(),
    healthCommand(),
  ]) {
    program.addCommand(command);
  }
  return program;
}
