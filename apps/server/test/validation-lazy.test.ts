import type { FastifySchema } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAjv, loadBundle } from '@sims/spec/runtime';
import { specOperations } from '../src/http/spec.js';
import { validatorCompiler } from '../src/http/validation.js';
import { raw, startTestServer, type TestServer } from './support/server.js';

/**
 * The server compiles request validators on first use and skips the meta-schema check at start-up
 * (cold start). These tests keep what eager compilation guaranteed: the spec is valid JSON Schema,
 * every operation's schemas compile, and the first request of an operation is judged as before.
 */
const spec = loadBundle();
const PARTS = ['params', 'querystring', 'headers', 'body'] as const;

describe('request validators compiled on first use', () => {
  it('the bundled spec passes the JSON Schema 2020-12 meta-schema (checked here, not at every start)', () => {
    expect(() => createAjv(spec)).not.toThrow();
  });

  it('every operation part compiles and answers as an eagerly compiled, meta-checked Ajv does', () => {
    const compile = validatorCompiler(spec);
    const reference = (coerce: boolean) =>
      createAjv(spec, { allErrors: true, useDefaults: true, coerceTypes: coerce ? 'array' : false, removeAdditional: false });
    const eager = { body: reference(false), parameters: reference(true) };
    let checked = 0;
    for (const op of specOperations(spec)) {
      for (const httpPart of PARTS) {
        const schema = op.schema[httpPart as keyof FastifySchema];
        if (!schema) continue;
        const lazy = compile({ schema, httpPart, method: op.method, url: op.route }) as ((data: unknown) => boolean) & {
          errors?: unknown;
        };
        const expected = (httpPart === 'body' ? eager.body : eager.parameters).compile(schema as object);
        for (const input of ['[]', '{}', 'null', '{"page_size":"x","name":""}']) {
          const valid = lazy(JSON.parse(input));
          expect(valid, `${op.operationId} ${httpPart} ${input}`).toBe(expected(JSON.parse(input)));
          expect(lazy.errors ?? null, `${op.operationId} ${httpPart} ${input}`).toEqual(valid ? null : expected.errors);
        }
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe('the first request of an operation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('is validated: an invalid body and an invalid query as the first requests answer 422 with their details', async () => {
    const body = await raw(`${server.url}/agents`, {
      method: 'POST',
      key: server.key,
      body: JSON.stringify({ name: 'n'.repeat(201), prompt: 'p' }),
    });
    expect(body.status).toBe(422);
    expect(body.json.error.code).toBe('validation_failed');
    expect(body.json.error.details.map((d: { location: string; field: string }) => `${d.location} ${d.field}`)).toEqual(['body /name']);

    const query = await raw(`${server.url}/simulation_cases?page_size=101`, { key: server.key });
    expect(query.status).toBe(422);
    expect(query.json.error.details.map((d: { location: string; field: string }) => `${d.location} ${d.field}`)).toEqual([
      'query page_size',
    ]);
  });

  it('that is valid is answered', async () => {
    const list = await raw(`${server.url}/simulation_cases`, { key: server.key });
    expect(list.status).toBe(200);
    expect(list.json.status).toBe('ok');
  });
});
