import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MAX_REPLY_CHARS, MAX_TOOL_CALLS, MAX_TOOL_NAME } from '../src/connectors/http.js';
import { TEST_CATEGORIES } from '../src/index.js';

// The engine restates a few values of the spec so that it loads no spec at run time; these compare
// them with the bundled spec (`@sims/spec/openapi.json`), so that editing either side alone fails.
const spec = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@sims/spec/openapi.json'), 'utf8')) as {
  components: { schemas: Record<string, { enum?: string[]; properties?: Record<string, { maxLength?: number; maxItems?: number }> }> };
};
const schema = (name: string) => {
  const found = spec.components.schemas[name];
  if (!found) throw new Error(`the bundled spec has no schema ${name}`);
  return found;
};

describe('the engine agrees with the bundled spec', () => {
  it('validates webhook replies with the limits of AgentTurnReply and AgentTurnToolCall', () => {
    expect(MAX_REPLY_CHARS).toBe(schema('AgentTurnReply').properties?.reply?.maxLength);
    expect(MAX_TOOL_CALLS).toBe(schema('AgentTurnReply').properties?.tool_calls?.maxItems);
    expect(MAX_TOOL_NAME).toBe(schema('AgentTurnToolCall').properties?.name?.maxLength);
  });

  it('lists the test categories of the spec, in its order', () => {
    expect([...TEST_CATEGORIES]).toEqual(schema('SimulationCaseTestCategory').enum);
  });
});
