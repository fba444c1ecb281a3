import { type Command, Option } from 'commander';
import { createContext, type Context, type GlobalOptions } from './context.js';
import { describeError, EXIT, UsageError } from './errors.js';

/** Walks every page: the API's own maximum page number, so "everything" has a bound. */
export const ALL_PAGES = 100_000;

/**
 * Wraps a command action: builds the client from the global options, runs the action, and turns a
 * failure into one line on stderr and exit code 2. The action may answer an exit code of its own.
 */
export function withContext<Args extends unknown[]>(
  // biome-ignore lint/suspicious/noConfusingVoidType: most actions return nothing (Promise<void>), which `undefined` would refuse
  action: (ctx: Context, ...args: Args) => Promise<number | void>,
  options: { keyOptional?: boolean } = {},
) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    // An unauthenticated operation still goes through the client, which always sends a key.
    const ctx = createContext(options.keyOptional ? { ...globals, apiKey: globals.apiKey ?? process.env.SIMS_API_KEY ?? 'none' } : globals);
    try {
      const code = await action(ctx, ...(args.slice(0, -1) as Args));
      if (typeof code === 'number') process.exitCode = code;
    } catch (error) {
      process.stderr.write(`${describeError(error, ctx.baseUrl)}\n`);
      process.exitCode = EXIT.error;
    }
  };
}

/** `--since`/`--until` as the API's ISO 8601 `start_date`/`end_date`. */
function parseDate(flag: string) {
  return (value: string): string => {
    const time = Date.parse(value);
    if (Number.isNaN(time)) throw new UsageError(`${flag} must be a date or date-time (ISO 8601), got ${value}`);
    return new Date(time).toISOString();
  };
}

export function dateRangeOptions(command: Command): Command {
  return command
    .addOption(new Option('--since <date>', 'only records created at or after this time').argParser(parseDate('--since')))
    .addOption(new Option('--until <date>', 'only records created at or before this time').argParser(parseDate('--until')));
}

export const fileOption = () =>
  new Option('-f, --file <path>', 'request body from a JSON or YAML file (- for stdin); flags override its fields');
