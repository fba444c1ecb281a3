import { Command, Option } from 'commander';
import { type RunSuiteCancel, type RunSuiteResult, type Simulation, type SimulationsClient, unwrap } from '@sims/client';
import { ALL_PAGES, withContext } from '../command.js';
import { EXIT, UsageError } from '../errors.js';
import { parseInteger } from '../input.js';
import { print, printJson } from '../output.js';
import { interruptedLine } from '../run/cancel.js';
import { verdictLine } from '../run/comparison.js';
import { writeJunit } from '../run/junit.js';
import { createProgress } from '../run/progress.js';
import { caseResults, summarize } from '../run/results.js';
import { caseRows, caseSummaryLine, caseTable, outputColumns, resultsTable, summaryLine } from '../run/table.js';
import { sessionUsage, usageLine } from '../run/usage.js';

type FailOn = 'any' | 'regression';

interface RunFlags {
  agent?: string;
  maxTurns?: number;
  iterations?: number;
  baseline?: string;
  failOn: FailOn;
  timeout: number;
  interval: number;
  junit?: string;
  keepRunning?: boolean;
}

function parseIterations(value: string): number {
  const n = parseInteger('--iterations')(value);
  if (n < 1 || n > 20) throw new UsageError(`--iterations must be between 1 and 20, got ${value}`);
  return n;
}

function parseBaseline(value: string): string {
  if (value.trim() === '') throw new UsageError('--baseline must be last or a session id');
  return value;
}

/**
 * Every simulation of the session: a session read embeds at most 100, so a larger one (cases run
 * several times) is read in full from the list of its simulations.
 */
async function allSimulations(client: SimulationsClient, session: RunSuiteResult): Promise<Simulation[]> {
  if (session.simulations.length >= session.total_simulations) return session.simulations;
  const simulations: Simulation[] = [];
  const query = { simulation_session_id: session.simulation_session_id };
  for await (const simulation of client.paginate('/simulations', { query, maxPages: ALL_PAGES }).items()) simulations.push(simulation);
  return simulations.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
}

const HELP_AFTER = `
Exit codes: 0 every run passed, 1 a run did not pass, 2 an error or a time-out, 130 interrupted.
Ctrl-C cancels the session on the server (one request, at most 5 s) and exits 130, saying what it
cancelled on stderr; with --keep-running the session keeps running. A second Ctrl-C exits at once.
With --fail-on regression: 1 only when the comparison with the baseline has the verdict "regressed"
(a case's pass rate fell by 50 points or more); the first run of a suite has no baseline to compare
with, which is noted on stderr and exits 0.`;

export function runCommand(): Command {
  return new Command('run')
    .argument('<suite-id>', 'the suite to run')
    .description('run every case of a suite, show live progress, then the results; exit 0 all passed, 1 any failed, 2 error or time-out')
    .option('--agent <id>', "the agent to run on; default the suite's own (model_id)")
    .addOption(
      new Option('--max-turns <n>', 'turn limit of each simulation (10-50; server default 20)').argParser(parseInteger('--max-turns')),
    )
    .addOption(new Option('--iterations <n>', 'run each case this many times (1-20; server default 1)').argParser(parseIterations))
    .addOption(
      new Option(
        '--baseline <last|session-id>',
        "compare with this session: last (the suite's latest finished run) or a session id",
      ).argParser(parseBaseline),
    )
    .addOption(
      new Option(
        '--fail-on <mode>',
        'exit 1 when any run did not pass, or only on a regression against the baseline (implies --baseline last)',
      )
        .choices(['any', 'regression'])
        .default('any'),
    )
    .addOption(
      new Option('--timeout <seconds>', 'give up (exit 2) when the run has not finished after this long')
        .default(900)
        .argParser(parseInteger('--timeout')),
    )
    .addOption(new Option('--interval <ms>', 'pause between two reads of the session').default(2000).argParser(parseInteger('--interval')))
    .option('--junit <file>', 'also write the results as JUnit XML to this file')
    .option('--keep-running', 'on Ctrl-C, leave the session running on the server instead of cancelling it')
    .addHelpText('after', HELP_AFTER)
    .action(
      withContext(async (ctx, suiteId: string, flags: RunFlags) => {
        const suite = await unwrap(ctx.client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } } }));
        const targetAgentId = flags.agent ?? suite.model_id;
        const baseline = flags.baseline ?? (flags.failOn === 'regression' ? 'last' : undefined);
        const progress = createProgress();
        // Ctrl-C: put the terminal back (the bar hides the cursor) and abort the run, which cancels its
        // session unless --keep-running; a second Ctrl-C does not wait for the cancel.
        const interrupt = new AbortController();
        const onInterrupt = () => {
          progress.stop();
          if (!interrupt.signal.aborted) {
            interrupt.abort(new Error('interrupted'));
            return;
          }
          process.stderr.write('interrupted again: exiting without waiting for the cancel\n');
          process.exit(EXIT.interrupted);
        };
        process.on('SIGINT', onInterrupt);
        const startedAt = new Date();
        let sessionId: string | undefined;
        let cancel: RunSuiteCancel | undefined;
        let run: RunSuiteResult;
        try {
          run = await ctx.client.runSuite(suiteId, {
            targetAgentId,
            maxTurns: flags.maxTurns,
            iterations: flags.iterations,
            baseline,
            timeoutMs: flags.timeout * 1000,
            intervalMs: flags.interval,
            signal: interrupt.signal,
            cancelOnAbort: !flags.keepRunning,
            onCancel: (outcome) => {
              cancel = outcome;
            },
            onStarted: (execution) => {
              sessionId = execution.session_id;
              process.stderr.write(
                `running ${execution.suite_name}: ${execution.total_cases} cases on agent ${targetAgentId} (session ${execution.session_id})\n`,
              );
            },
            onProgress: (p) => progress.update(p),
          });
        } catch (error) {
          if (!interrupt.signal.aborted) throw error;
          process.stderr.write(`${interruptedLine(sessionId, cancel, Boolean(flags.keepRunning))}\n`);
          return EXIT.interrupted;
        } finally {
          process.off('SIGINT', onInterrupt);
          progress.stop();
        }
        const elapsedSeconds = (Date.now() - startedAt.getTime()) / 1000;
        const simulations = await allSimulations(ctx.client, run);
        const results = caseResults({ ...run, simulations });
        const summary = summarize(results);
        const { report, comparison } = run;
        if (flags.junit) {
          await writeJunit(flags.junit, {
            suiteName: suite.name,
            suiteId,
            targetAgentId,
            session: run,
            results,
            startedAt,
            elapsedSeconds,
          });
        }
        if (ctx.json) {
          printJson(run);
        } else {
          const repeated = new Set(results.map((r) => r.caseId)).size < results.length;
          if (report && (repeated || comparison)) {
            const rows = caseRows(report, comparison, results);
            print(caseTable(rows, outputColumns()));
            print(`${caseSummaryLine(report, rows)} (session ${run.simulation_session_id})`);
          } else {
            print(resultsTable(results, outputColumns()));
            print(`${summaryLine(summary)} (session ${run.simulation_session_id})`);
          }
          const usage = sessionUsage(run, simulations);
          if (usage) print(usageLine(usage));
          if (comparison) print(verdictLine(comparison));
        }
        if (baseline !== undefined && comparison === null) {
          process.stderr.write(
            `note: no earlier finished session of this suite to compare with (its first run)${flags.failOn === 'regression' ? ': nothing can have regressed, exit 0' : ''}\n`,
          );
        }
        if (flags.junit) process.stderr.write(`JUnit XML written to ${flags.junit}\n`);
        if (flags.failOn === 'regression') return comparison?.verdict === 'regressed' ? EXIT.failed : EXIT.passed;
        return summary.passed === summary.total ? EXIT.passed : EXIT.failed;
      }),
    );
}
