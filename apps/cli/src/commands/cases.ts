import { Command, Option } from 'commander';
import { unwrap, type Schemas } from '@sims/client';
import { ALL_PAGES, withContext } from '../command.js';
import { UsageError } from '../errors.js';
import { collect, readInputText } from '../input.js';
import { plainTable, print, printJson, printList, type Column } from '../output.js';
import { addRecordCommands } from './records.js';

type Case = Schemas['SimulationCaseReadOut'];
type ImportIn = Schemas['SimulationCaseImportIn'];
type ImportFormat = NonNullable<ImportIn['format']>;

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
    .command('import <file>')
    .description(
      'turn a recorded call into a case of a suite (FILE: Caller:/Agent: text, or JSON chat messages or a timeline; - for stdin)',
    )
    .requiredOption('--suite <id>', 'the suite to add the case to')
    .addOption(
      new Option('--format <format>', 'the shape of the conversation (detected when omitted)').choices(['text', 'messages', 'timeline']),
    )
    .option('--name <name>', 'case name (default: "Replay: " and the first caller line)')
    .option('--criterion <text>', "a success criterion (repeat for several; drafted by the server's model when omitted)", collect)
    .option('--no-tool-checks', "do not turn the recording's tool calls into checks and tool mocks")
    .action(
      withContext(async (ctx, file: string, flags: ImportFlags) => {
        const { conversation, format } = await readRecording(file);
        const body: ImportIn = {
          suite_id: flags.suite,
          conversation,
          ...((flags.format ?? format) ? { format: flags.format ?? format } : {}),
          ...(flags.name ? { name: flags.name } : {}),
          ...(flags.criterion ? { success_criteria: flags.criterion } : {}),
          ...(flags.toolChecks ? {} : { tool_checks: false }),
        };
        const imported = await unwrap(ctx.client.POST('/simulation_cases/import', { body }));
        if (ctx.json) return printJson(imported);
        printImport(imported);
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

interface ImportFlags {
  suite: string;
  format?: ImportFormat;
  name?: string;
  criterion?: string[];
  toolChecks: boolean;
}

/**
 * A recording as the API takes it: JSON when the file holds JSON (an array of chat messages or
 * timeline events as it is; an object with `messages` or `timeline`, such as a chat log or a
 * simulation as `sims simulations get --json` prints it, that array), else the text itself.
 */
async function readRecording(path: string): Promise<{ conversation: ImportIn['conversation']; format?: ImportFormat }> {
  const text = await readInputText(path);
  if (!text.trim()) throw new UsageError(`${path} is empty`);
  let value: unknown;
  try {
    value = /^\s*[[{]/.test(text) ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON after all: a text transcript may well start with a bracket ("[00:01] Caller: …").
  }
  if (value === undefined) return { conversation: text };
  if (Array.isArray(value)) return { conversation: value as ImportIn['conversation'] };
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.messages)) return { conversation: record.messages as ImportIn['conversation'], format: 'messages' };
  if (Array.isArray(record.timeline)) return { conversation: record.timeline as ImportIn['conversation'], format: 'timeline' };
  throw new UsageError(`${path} holds a JSON object without a "messages" or "timeline" array: give the conversation itself`);
}

function printImport(imported: Schemas['SimulationCaseImportOut']): void {
  const { simulation_case: c, import: summary } = imported;
  print(`imported case ${c.simulation_case_id} "${c.name}" into suite ${c.suite_id}`);
  const table = plainTable(['format', 'caller turns', 'agent turns', 'tool calls', 'checks', 'tool mocks', 'criteria']);
  table.push([
    summary.format,
    summary.caller_turns,
    summary.agent_turns,
    summary.tool_calls,
    c.checks?.length ?? 0,
    c.tool_mocks?.length ?? 0,
    `${c.success_criteria.length} ${summary.criteria_source}`,
  ]);
  print(table.toString());
}
