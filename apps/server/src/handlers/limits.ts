import { invalid } from '../http/errors.js';

/**
 * How much one suite or session may hold (spec decision "Bounded reads"): a suite read embeds every
 * case, so it is at most one full page (`page_size` ≤ 100). A session holds every case of a suite
 * run `MAX_ITERATIONS` times; its read embeds the oldest 100 of them, and its report all.
 */
export const CASES_PER_SUITE = 100;
export const MAX_ITERATIONS = 20;
export const SIMULATIONS_PER_SESSION = CASES_PER_SUITE * MAX_ITERATIONS;
/** Custom variables are copied onto every run and answered with it, so their size is bounded too. */
export const CUSTOM_VARIABLES_BYTES = 16 * 1024;

/** Refuses to put `adding` more cases into a suite that holds `held`. */
export function assertSuiteRoom(held: number, adding: number): void {
  if (held + adding <= CASES_PER_SUITE) return;
  throw invalid(
    'body',
    '/suite_id',
    held >= CASES_PER_SUITE
      ? `the suite already holds ${held} cases, the most a suite can hold (${CASES_PER_SUITE})`
      : `the suite holds ${held} cases; ${adding} more would exceed the ${CASES_PER_SUITE} a suite can hold`,
  );
}

export function assertVariablesSize(variables: object | null | undefined): void {
  if (!variables) return;
  const bytes = Buffer.byteLength(JSON.stringify(variables));
  if (bytes > CUSTOM_VARIABLES_BYTES) {
    throw invalid('body', '/custom_variables', `is ${bytes} bytes as JSON; at most ${CUSTOM_VARIABLES_BYTES} are allowed`);
  }
}

/** Refuses to add `adding` more simulations to a session that holds `held`. */
export function assertSessionRoom(held: number, adding: number): void {
  if (held + adding <= SIMULATIONS_PER_SESSION) return;
  throw invalid(
    'body',
    '/simulation_session_id',
    held >= SIMULATIONS_PER_SESSION
      ? `the session already holds ${held} simulations, the most a session can hold (${SIMULATIONS_PER_SESSION})`
      : `the session holds ${held} simulations; ${adding} more would exceed the ${SIMULATIONS_PER_SESSION} a session can hold`,
  );
}
