import type { CommanderError } from 'commander';
import { SimulationsApiError } from '@sims/client';

/** Exit codes: the contract a CI job relies on. */
export const EXIT = { passed: 0, failed: 1, error: 2, interrupted: 130 } as const;

/** A problem of the user's input found before any call (bad flag value, unreadable file). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * The one line printed for any failure: never a stack trace. An API error names its status, code,
 * message, field problems and request id, which is what a support request needs.
 */
export function describeError(error: unknown, baseUrl?: string): string {
  if (error instanceof SimulationsApiError) {
    const details = error.details.map((d) => `${d.field ? `${d.field}: ` : ''}${d.message}`).join('; ');
    return oneLine(
      `error: ${error.status} ${error.code}: ${error.apiMessage}` +
        (details ? ` (${details})` : '') +
        (error.requestId ? ` [request ${error.requestId}]` : ''),
    );
  }
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return oneLine(`error: timed out: ${error.message}`);
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return oneLine(`error: could not reach ${baseUrl ?? 'the API'}: ${cause?.code ?? cause?.message ?? 'network error'}`);
  }
  if (error instanceof Error) return oneLine(`error: ${error.message}`);
  return oneLine(`error: ${String(error)}`);
}

/** Commander's own exits: help and version are successes; every parse error is a usage error. */
export function commanderExitCode(error: CommanderError): number {
  return error.exitCode === 0 ? EXIT.passed : EXIT.error;
}
