import { Command, Option } from 'commander';
import { isAlreadyFinished, unwrap, type Simulation, type SimulationSession } from '@sims/client';
import { ALL_PAGES, dateRangeOptions, fileOption, withContext } from '../command.js';
import { EXIT } from '../errors.js';
import { buildBody, collectPair, parseInteger, requireFields } from '../input.js';
import { print, printJson, printList, printRecord, type Column } from '../output.js';
import { cancelledLine } from '../run/cancel.js';
import { comparisonTable, verdictLine } from '../run/comparison.js';
import { caseResults, summarize } from '../run/results.js';
import { outputColumns, resultsTable, summaryLine } from '../run/table.js';
import { sessionUsage, usageLine } from '../run/usage.js';
import type { ListItem, Schemas } from '@sims/client';

const outcome = (s: Simulation) =>
  s.status === 'completed' ? (s.success_criteria_analysis?.success ? 'passed' : 'failed') : s.status === 'failed' ? 'error' : 'pending';

const SIMULATION_COLUMNS: Column<Simulation>[] = [
  { head: 'id', value: (s) => s.simulation_id },
  { head: 'case', value: (s) => s.simulation_case_name },
  { head: 'status', value: (s) => s.status },
  { head: 'outcome', value: outcome },
  { head: 'agent', value: (s) => s.agent_name ?? s.target_agent_id },
  { head: 'session', value: (s) => s.simulation_session_id },
];

type SessionItem = ListItem<'/simulations/sessions'>;

const SESSION_COLUMNS: Column<SessionItem>[] = [
  { head: 'id', value: (s) => s.simulation_session_id },
  { head: 'suite', value: (s) => s.suite_id },
  { head: 'total', value: (s) => s.total_simulations },
  { head: 'completed', value: (s) => s.completed_simulations },
  { head: 'failed', value: (s) => s.failed_simulations },
  { head: 'pending', value: (s) => s.pending_simulations },
  { head: 'created', value: (s) => s.created_at },
];

/**
 * The answer of a cancel, or `undefined` once the reason nothing was cancelled is on stderr: the `409`
 * of a simulation already finished or a session with nothing in progress. That is not an error of the
 * command (exit 1, not 2): a script cancelling "whatever still runs" can tell it from a failed cancel.
 */
async function cancelled<T>(cancel: () => Promise<T>): Promise<T | undefined> {
  try {
    return await cancel();
  } catch (error) {
    if (!isAlreadyFinished(error)) throw error;
    process.stderr.write(`nothing cancelled: ${error.apiMessage}\n`);
    return undefined;
  }
}

interface StartFlags {
  case?: string;
  agent?: string;
  session?: string;
  maxTurns?: number;
  var?: Record<string, string>;
  file?: string;
}

export function simulationsCommand(): Command {
  const simulations = new Command('simulations').description(
    'simulations: one case run against one agent, with its transcript and verdicts',
  );

  dateRangeOptions(
    simulations
      .command('list')
      .description('list every simulation (all pages)')
      .option('--session <id>', 'only simulations of this session')
      .addOption(new Option('--status <status>', 'only simulations with this status').choices(['in-progress', 'completed', 'failed']))
      .option('--agent <id>', 'only simulations of this target agent'),
  ).action(
    withContext(async (ctx, flags: { session?: string; status?: Simulation['status']; agent?: string; since?: string; until?: string }) => {
      const query = {
        simulation_session_id: flags.session,
        status: flags.status,
        target_agent_id: flags.agent,
        start_date: flags.since,
        end_date: flags.until,
      };
      await printList(
        ctx.client.paginate('/simulations', { query, maxPages: ALL_PAGES }).items(),
        SIMULATION_COLUMNS,
        ctx.json,
        'simulation',
      );
    }),
  );

  simulations
    .command('get <simulation-id>')
    .description('show one simulation with its transcript and verdicts')
    .action(
      withContext(async (ctx, id: string) => {
        printRecord(await unwrap(ctx.client.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: id } } })), ctx.json);
      }),
    );

  simulations
    .command('start')
    .description('run one case against an agent (flags and/or --file); prints the simulation id')
    .option('--case <id>', 'the case to run (simulation_case_id)')
    .option('--agent <id>', 'the agent to run it on (target_agent_id)')
    .option('--session <id>', 'add the run to this session')
    .addOption(new Option('--max-turns <n>', 'turn limit (10-50)').argParser(parseInteger('--max-turns')))
    .option('--var <name=value>', 'a custom variable for {{name}} placeholders (repeat for several)', collectPair)
    .addOption(fileOption())
    .action(
      withContext(async (ctx, flags: StartFlags) => {
        const body = await buildBody<Schemas['SimulationCreateIn']>(flags.file, {
          simulation_case_id: flags.case,
          target_agent_id: flags.agent,
          simulation_session_id: flags.session,
          max_turns: flags.maxTurns,
          custom_variables: flags.var,
        });
        requireFields(body, { simulation_case_id: '--case', target_agent_id: '--agent' });
        const started = await unwrap(
          ctx.client.POST('/simulations', { body, params: { header: { 'Idempotency-Key': crypto.randomUUID() } } }),
        );
        printRecord(started, ctx.json);
      }),
    );

  simulations
    .command('wait <simulation-id>')
    .description('wait until a simulation has finished, then show it; exit 0 passed, 1 not passed, 2 error or time-out')
    .addOption(new Option('--timeout <seconds>', 'give up after this long').default(900).argParser(parseInteger('--timeout')))
    .addOption(new Option('--interval <ms>', 'pause between two reads').default(2000).argParser(parseInteger('--interval')))
    .action(
      withContext(async (ctx, id: string, flags: { timeout: number; interval: number }) => {
        const simulation = await ctx.client.waitForSimulation(id, { timeoutMs: flags.timeout * 1000, intervalMs: flags.interval });
        printRecord(simulation, ctx.json);
        return outcome(simulation) === 'passed' ? 0 : 1;
      }),
    );

  simulations
    .command('cancel <simulation-id>')
    .description(
      'cancel a simulation still in progress (queued or running): it is recorded as failed with error cancelled (499); exit 1 when it had already finished, 2 on an error',
    )
    .action(
      withContext(async (ctx, id: string) => {
        const simulation = await cancelled(() => ctx.client.cancelSimulation(id));
        if (simulation === undefined) return EXIT.failed;
        if (ctx.json) printJson(simulation);
        else print(`cancelled simulation ${simulation.simulation_id} (${simulation.simulation_case_name ?? 'case'})`);
      }),
    );

  return simulations;
}

export function sessionsCommand(): Command {
  const sessions = new Command('sessions').description('sessions: the runs of one suite execution, with their counters');

  dateRangeOptions(
    sessions.command('list').description('list every session (all pages)').option('--agent <id>', 'only sessions of this target agent'),
  ).action(
    withContext(async (ctx, flags: { agent?: string; since?: string; until?: string }) => {
      const query = { target_agent_id: flags.agent, start_date: flags.since, end_date: flags.until };
      await printList(
        ctx.client.paginate('/simulations/sessions', { query, maxPages: ALL_PAGES }).items(),
        SESSION_COLUMNS,
        ctx.json,
        'session',
      );
    }),
  );

  sessions
    .command('get <session-id>')
    .description('show a session: its counters and the result of every case')
    .action(
      withContext(async (ctx, id: string) => {
        const session: SimulationSession = await unwrap(
          ctx.client.GET('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: id } } }),
        );
        if (ctx.json) {
          printJson(session);
          return;
        }
        const results = caseResults(session);
        print(
          `session ${session.simulation_session_id}: ${session.total_simulations} simulations, completed ${session.completed_simulations}, failed ${session.failed_simulations}, pending ${session.pending_simulations}${session.cancelled_at ? `, cancelled at ${session.cancelled_at}` : ''}`,
        );
        if (results.length > 0) print(resultsTable(results, outputColumns()));
        print(summaryLine(summarize(results)));
        const usage = sessionUsage(session, session.simulations);
        if (usage) print(usageLine(usage));
      }),
    );

  sessions
    .command('compare <base> <head>')
    .description(
      'compare session <head> with the baseline session <base> (a session id, or last for the latest finished session of the same suite before <head>): the verdict, then case by case; exit 0 whatever the verdict (gate CI with run --fail-on regression), 2 on an error',
    )
    .action(
      withContext(async (ctx, base: string, head: string) => {
        const comparison = await ctx.client.compareSessions(head, { baseline: base });
        if (ctx.json) {
          printJson(comparison);
          return;
        }
        print(verdictLine(comparison));
        if (comparison.cases.length > 0) print(comparisonTable(comparison, outputColumns()));
      }),
    );

  sessions
    .command('cancel <session-id>')
    .description(
      'cancel every simulation of a session still in progress and mark the session cancelled; finished runs keep their results; exit 1 when nothing was in progress, 2 on an error',
    )
    .action(
      withContext(async (ctx, id: string) => {
        const answer = await cancelled(() => ctx.client.cancelSession(id));
        if (answer === undefined) return EXIT.failed;
        if (ctx.json) {
          printJson(answer);
          return;
        }
        print(cancelledLine(answer));
      }),
    );

  return sessions;
}
