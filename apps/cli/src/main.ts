#!/usr/bin/env node
import { CommanderError } from 'commander';
import { commanderExitCode, describeError, EXIT } from './errors.js';
import { buildProgram } from './program.js';

// Whatever escapes still ends as one line and exit 2, never a stack trace.
process.on('uncaughtException', (error) => fail(error));
process.on('unhandledRejection', (error) => fail(error));

function fail(error: unknown): void {
  process.stderr.write(`${describeError(error)}\n`);
  process.exit(EXIT.error);
}

const program = buildProgram();
program.exitOverride();
for (const command of program.commands) {
  command.exitOverride();
  for (const sub of command.commands) sub.exitOverride();
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = commanderExitCode(error);
  else fail(error);
}
