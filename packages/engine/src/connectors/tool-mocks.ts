import { argumentsInclude } from '../judge/checks.js';
import type { ToolMock } from '../types.js';

/**
 * The answer of a case's tool mocks to one call (the spec's `ToolMock` rule): the first mock of that
 * name whose `arguments` the call's include (compared as a `tool_called` check compares), else the
 * name's mock without `arguments`, else an error the model can read. A string result is passed as it
 * is, anything else as JSON.
 */
export function answerToolCall(mocks: readonly ToolMock[], name: string, args: Record<string, unknown>): string {
  const mock =
    mocks.find((m) => m.name === name && m.arguments !== undefined && argumentsInclude(m.arguments, args)) ??
    mocks.find((m) => m.name === name && m.arguments === undefined);
  if (!mock) return JSON.stringify({ error: `no mock for tool ${name}` });
  return typeof mock.result === 'string' ? mock.result : JSON.stringify(mock.result ?? null);
}
