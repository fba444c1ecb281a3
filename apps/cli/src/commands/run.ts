import { Command, Option } from 'commander';
import { type SimulationSession, unwrap } from '@sims/client';
import { withContext } from '../command.js';
import { EXIT } from '../errors.js';
import { parseInteger } from '../input.js';
import { print, printJson } from '../output.js';
import { writeJunit } from '../run/junit.js';
import { createProgress } from '../run/progress.js';
import { caseResults, summarize } from '../run/results.js';
import { outputColumns, resultsTable, summaryLine } from '../run/table.js';

interface RunFlags {
  agent?: string;
  maxTurns?: number;
  timeout: number;
  interval: number;
  junit?: string;
}

export function runCommand(): Command {
  return new Command('run')
    .argument('<suite-id>', 'the suite to run')
    .description('run every case of a suite, show live progress, then the results; exit 0 all passed, 1 any failed, 2 error or time-out')
    .option('--agent <id>', "the agent to run on; default the suite's own (model_id)")
    .addOption(
      new Option('--max-turns <n>', 'turn limit of each simulation (10-50; server default 20)').argParser(parseInteger('--max-turns')),
    )
    .addOption(
      new Option('--timeout <seconds>', 'give up (exit 2) when the run has not finished after this long')
        .default(900)
        .argParser(parseInteger('--timeout')),
    )
    .addOption(new Option('--interval <ms>', 'pause between two reads of the session').default(2000).argParser(parseInteger('--interval')))
    .option('--junit <file>', 'also write the results as JUnit XML to this file')
    .action(
      withContext(async (ctx, suiteId: string, flags: RunFlags) => {
        const suite = await unwrap(ctx.client.GET('/simulation_suites/{suite_id}', { params: { path: { suite_id: suiteId } } }));
        const targetAgentId = flags.agent ?? suite.model_id;
        const progress = createProgress();
        // Ctrl-C: put the terminal back (the bar hides the cursor) and exit as interrupted.
        const interrupted = () => {
          progress.stop();
          process.stderr.write('interrupted: the session keeps running on the server\n');
          process.exit(EXIT.interrupted);
        };
        process.once('SIGINT', interrupted);
        const startedAt = new Date();
        let session: SimulationSession;
        try {
          session = await ctx.client.runSuite(suiteId, {
            targetAgentId,
            maxTurns: flags.maxTurns,
            timeoutMs: flags.timeout * 1000,
            intervalMs: flags.interval,
            onStarted: (execution) =>
              process.stderr.write(
                `running ${execution.suite_name}: ${execution.total_cases} cases on agent ${targetAgentId} (session ${execution.session_id})\n`,
              ),
            onProgress: (p) => progress.update(p),
          });
        } finally {
          process.off('SIGINT', interrupted);
          progress.stop();
        }
        const elapsedSeconds = (Date.now() - startedAt.getTime()) / 1000;
        const results = caseResults(session);
        const summary = summarize(results);
        if (flags.junit) {
          await writeJunit(flags.junit, { suiteName: suite.name, suiteId, targetAgentId, session, results, startedAt, elapsedSeconds });
        }
        if (ctx.json) {
          printJson(session);
        } else {
          print(resultsTable(results, outputColumns()));
          print(`${summaryLine(summary)} (session ${session.simulation_session_id})`);
        }
        if (flags.junit) process.stderr.write(`JUnit XML written to ${flags.junit}\n`);
        return summary.passed === summary.total ? EXIT.passed : EXIT.failed;
      }),
    );
}
