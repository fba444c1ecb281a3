import vm from 'node:vm';
import safeRegex from 'safe-regex2';

export const MAX_PATTERN_LENGTH = 200;
export const REGEX_TIMEOUT_MS = 100;
const ALLOWED_FLAGS = /^[imsu]*$/;

export class UnsafePatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePatternError';
  }
}

/**
 * Compiles a user-supplied pattern for the `matches` check, in two layers against catastrophic
 * backtracking: before running, patterns longer than MAX_PATTERN_LENGTH, with backreferences, or
 * with nested quantifiers (star height above 1, detected by safe-regex2) are refused; while
 * running, each test executes in a vm context with a REGEX_TIMEOUT_MS time-out, which interrupts
 * the regex engine if a pattern the static check missed still backtracks too long.
 */
export function compileSafePattern(pattern: string, flags = ''): (text: string) => boolean {
  if (pattern.length === 0) throw new UnsafePatternError('the pattern is empty');
  if (pattern.length > MAX_PATTERN_LENGTH) throw new UnsafePatternError(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  if (!ALLOWED_FLAGS.test(flags)) throw new UnsafePatternError(`flags "${flags}" are not allowed; use any of i, m, s, u`);
  if (/\\[1-9]|\\k</.test(pattern)) throw new UnsafePatternError('backreferences are not allowed');
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (error) {
    throw new UnsafePatternError(`the pattern does not compile: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!safeRegex(regex, { limit: 25 }))
    throw new UnsafePatternError('the pattern has nested quantifiers and could backtrack catastrophically');
  const context = vm.createContext({ regex, text: '' });
  const script = new vm.Script('regex.test(text)');
  // The time-out is wall-clock: on a loaded machine a harmless pattern can miss it once (seen in CI
  // at a load of 8 on 2 cores), so a time-out is retried once with ten times the time before the
  // pattern is judged too slow. A truly backtracking pattern misses both.
  const run = (timeout: number) => script.runInContext(context, { timeout }) === true;
  return (text: string) => {
    context.text = text;
    try {
      return run(REGEX_TIMEOUT_MS);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        throw new UnsafePatternError(`the pattern failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    try {
      return run(REGEX_TIMEOUT_MS * 10);
    } catch {
      throw new UnsafePatternError(`the pattern took longer than ${REGEX_TIMEOUT_MS * 10} ms and was stopped`);
    }
  };
}
