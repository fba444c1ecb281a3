import { describe, expect, it } from 'vitest';
import { SpecValidator, escapePointer, formatErrors } from '@sims/testkit';

type Node = Record<string, unknown>;
const spec = new SpecValidator();

interface NamedExample {
  where: string;
  name: string;
  schemaPointer: string;
  mediaType: string;
  value: unknown;
}

/** Every named example of every request and response body, with the pointer of the schema it must match. */
function collectExamples(): NamedExample[] {
  const found: NamedExample[] = [];
  const visitContent = (where: string, base: string, content: Node | undefined) => {
    for (const [mediaType, media] of Object.entries(content ?? {})) {
      const examples = (media as Node).examples as Record<string, unknown> | undefined;
      for (const [name, example] of Object.entries(examples ?? {})) {
        found.push({
          where,
          name,
          mediaType,
          schemaPointer: `${base}/content/${escapePointer(mediaType)}/schema`,
          value: spec.resolve<Node>(example).value,
        });
      }
    }
  };
  for (const op of spec.operations()) {
    const opPointer = `/paths/${escapePointer(op.path)}/${op.method}`;
    const body = op.definition.requestBody as Node | undefined;
    if (body) visitContent(`${op.operationId} request`, `${opPointer}/requestBody`, spec.resolve<Node>(body).content as Node);
    for (const [status, response] of Object.entries(op.definition.responses as Node)) {
      const ref = (response as Node).$ref as string | undefined;
      const base = ref ? ref.slice(1) : `${opPointer}/responses/${status}`;
      visitContent(`${op.operationId} ${status}`, base, spec.resolve<Node>(response).content as Node);
    }
  }
  return found;
}

const examples = collectExamples();

describe('examples', () => {
  it('every operation has a named request example (when it has a body) and a success example', () => {
    for (const op of spec.operations()) {
      const mine = examples.filter((e) => e.where.startsWith(`${op.operationId} `));
      if (op.definition.requestBody)
        expect(
          mine.some((e) => e.where.endsWith('request')),
          op.operationId,
        ).toBe(true);
      const responses = Object.keys(op.definition.responses as Node);
      const success = responses.find((s) => s.startsWith('2'))!;
      if (success !== '204')
        expect(
          mine.some((e) => e.where.endsWith(` ${success}`)),
          op.operationId,
        ).toBe(true);
      for (const status of responses.filter((s) => s.startsWith('4'))) {
        expect(
          mine.some((e) => e.where.endsWith(` ${status}`)),
          `${op.operationId} ${status}`,
        ).toBe(true);
      }
    }
  });

  it.each(examples.map((e) => [`${e.where} «${e.name}»`, e] as const))('%s validates against its schema', (_, example) => {
    if (example.mediaType === 'application/x-ndjson') {
      expect(typeof example.value).toBe('string');
      const lines = (example.value as string).trim().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(formatErrors(spec.validateSchema('SimulationCaseGenerateEvent', JSON.parse(line)))).toBe('');
      return;
    }
    expect(formatErrors(spec.validateAt(example.schemaPointer, example.value))).toBe('');
  });

  it('error examples carry the code that matches their status', () => {
    const codeFor: Record<string, string> = {
      '400': 'bad_request',
      '401': 'unauthorized',
      '404': 'not_found',
      '409': 'conflict',
      '413': 'payload_too_large',
      '422': 'validation_failed',
      '429': 'rate_limited',
    };
    for (const e of examples.filter((x) => /\s4\d\d$/.test(x.where))) {
      const status = e.where.slice(-3);
      expect((e.value as { error: { code: string } }).error.code, e.where).toBe(codeFor[status]);
    }
  });
});
