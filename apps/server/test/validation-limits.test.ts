import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../src/config.js';
import { MAX_DETAILS, toApiError } from '../src/http/errors.js';
import { canonical, requestHash } from '../src/http/idempotency.js';
import { MAX_JSON_DEPTH, tooDeep } from '../src/http/json-body.js';
import { DETAIL_NODE_LIMIT, withinNodes } from '../src/http/validation.js';
import { startServer } from '../src/server.js';
import { raw, seededServerForFile, tempDir } from './support/server.js';
import { seededRandom } from './support/random.js';
import { responseProblems } from './support/strict-spec.js';

/**
 * Issue 9, items 1 and 4: no request body, however large or deep, stalls the server or answers 500;
 * validation answers are bounded, and the server answers others meanwhile and afterwards.
 */
const context = seededServerForFile();

const validCase = { name: 'x', prompt: 'p', success_criteria: ['ok'], call_success_type: 'all' };
type Detail = { location: string; field: string; message: string };
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  raw(context.server.url + path, { method: 'POST', key: context.server.key, body, headers });
const fields = (answer: { error: { details?: Detail[] } }) => (answer.error.details ?? []).map((d) => `${d.location} ${d.field}`);

/** A 422 in the spec's shape for `operationId`, with at most MAX_DETAILS details. */
function expectBounded422(result: Awaited<ReturnType<typeof raw>>, operationId: string) {
  expect(result.status).toBe(422);
  expect(result.json.error.code).toBe('validation_failed');
  expect(result.json.error.request_id).toBe(result.response.headers.get('x-request-id'));
  expect(result.json.error.details.length).toBeGreaterThan(0);
  expect(result.json.error.details.length).toBeLessThanOrEqual(MAX_DETAILS);
  expect(responseProblems(operationId, 422, result.json)).toEqual([]);
}

describe('large invalid bodies (item 1)', () => {
  it('a case with 20,000 empty checks answers a small 422 naming the array as too long, while /health answers', async () => {
    const body = JSON.stringify({ ...validCase, checks: Array.from({ length: 20_000 }, () => ({})) });
    const [bad, health] = await Promise.all([post('/simulation_cases', body), raw(`${context.server.origin}/health`)]);
    expectBounded422(bad, 'createSimulationCase');
    expect(bad.json.error.details).toContainEqual({ location: 'body', field: '/checks', message: 'must NOT have more than 25 items' });
    expect(bad.text.length).toBeLessThan(2_000);
    expect(health.status).toBe(200);
    expect(health.json.status).toBe('ok');
  });

  it('100,000 wrong-typed success criteria answer a small 422 naming the array as too long, while /health answers', async () => {
    const body = JSON.stringify({ ...validCase, success_criteria: Array.from({ length: 100_000 }, () => 1) });
    const [bad, health] = await Promise.all([post('/simulation_cases', body), raw(`${context.server.origin}/health`)]);
    expectBounded422(bad, 'createSimulationCase');
    expect(bad.json.error.details).toContainEqual({
      location: 'body',
      field: '/success_criteria',
      message: 'must NOT have more than 25 items',
    });
    expect(bad.text.length).toBeLessThan(2_000);
    expect(health.status).toBe(200);
  });

  it('a small body with several independent mistakes answers every one of them', async () => {
    const bad = await post(
      '/simulation_cases',
      JSON.stringify({ name: 1, prompt: '', success_criteria: [], call_success_type: 'most', checks: [{ kind: 'contains' }] }),
    );
    expectBounded422(bad, 'createSimulationCase');
    expect(fields(bad.json)).toEqual(
      expect.arrayContaining(['body /name', 'body /prompt', 'body /success_criteria', 'body /call_success_type', 'body /checks/0']),
    );
  });

  it('a small body with more mistakes than the cap answers exactly MAX_DETAILS details', async () => {
    const bad = await post('/simulation_cases', JSON.stringify({ ...validCase, checks: Array.from({ length: 25 }, () => ({})) }));
    expectBounded422(bad, 'createSimulationCase');
    expect(bad.json.error.details).toHaveLength(MAX_DETAILS);
    expect(new Set(bad.json.error.details.map((d: Detail) => `${d.field} ${d.message}`)).size).toBe(MAX_DETAILS);
  });

  it('a body too large for the detailed pass answers its first mistake only', async () => {
    // An invalid name first, then an array too large both for the spec and for the detailed pass.
    const checks = Array.from({ length: DETAIL_NODE_LIMIT + 1 }, () => ({}));
    const bad = await post('/simulation_cases', JSON.stringify({ ...validCase, name: 1, checks }));
    expectBounded422(bad, 'createSimulationCase');
    expect(fields(bad.json)).toEqual(['body /name']);
    // The same mistakes in a body under the limit are all reported.
    const small = await post('/simulation_cases', JSON.stringify({ ...validCase, name: 1, checks: checks.slice(0, 30) }));
    expect(fields(small.json)).toEqual(expect.arrayContaining(['body /name', 'body /checks']));
  });

  it('query parameters: 60 over-long model_ids answer a bounded 422 naming the parameter', async () => {
    const query = Array.from({ length: 60 }, (_, i) => `model_ids=${'m'.repeat(101)}${i}`).join('&');
    const bad = await raw(`${context.server.url}/simulation_suites?${query}`, { key: context.server.key });
    expectBounded422(bad, 'listSimulationSuites');
    expect(new Set(fields(bad.json))).toEqual(new Set(['query model_ids']));
  });

  it('a valid body at the spec limits is accepted', async () => {
    const checks = Array.from({ length: 25 }, (_, i) => ({ kind: 'contains', text: `t${i}` }));
    const created = await post(
      '/simulation_cases',
      JSON.stringify({ ...validCase, success_criteria: Array.from({ length: 25 }, (_, i) => `c${i}`), checks }),
    );
    expect(created.status).toBe(200);
    expect(created.json.response.simulation_case.checks).toHaveLength(25);
  });
});

describe('counting JSON values', () => {
  it('counts every value, itself included, exactly up to the limit', () => {
    const value = { a: [1, 2, { b: null }], c: 'x' }; // the object, a, 1, 2, {b}, null, c: 7 values
    expect(withinNodes(value, 7)).toBe(true);
    expect(withinNodes(value, 6)).toBe(false);
    expect(withinNodes('x', 1)).toBe(true);
    expect(withinNodes([], 1)).toBe(true);
    expect(withinNodes([[]], 1)).toBe(false);
  });

  it('answers for huge and deep values without walking them whole or recursing', () => {
    expect(
      withinNodes(
        Array.from({ length: 1_000_000 }, () => ({})),
        DETAIL_NODE_LIMIT,
      ),
    ).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(withinNodes(deep, 200_000)).toBe(true);
  });
});

/** `{"v":{"v":…{}}}` with `levels` objects, the outermost included, written out (JSON.stringify would recurse). */
const nested = (levels: number) => `${'{"v":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
/** The pointer of the object at `depth` of the body `{ …, custom_variables: nested(levels) }`. */
const deepPointer = (depth: number) => `/custom_variables${'/v'.repeat(depth - 2)}`;
const depthDetail = { location: 'body', field: deepPointer(MAX_JSON_DEPTH + 1), message: `is nested deeper than ${MAX_JSON_DEPTH} levels` };

describe('deeply nested bodies (item 4)', () => {
  const simulation = (levels: number) =>
    `{"simulation_case_id":${JSON.stringify(context.ids.caseIds[0])},"target_agent_id":${JSON.stringify(context.ids.agentId)},"custom_variables":${nested(levels)}}`;

  it.each([5_000, MAX_JSON_DEPTH + 1])(
    'custom_variables nested to body depth %i answers 422 naming the first value too deep',
    async (depth) => {
      const bad = await post('/simulations', simulation(depth - 1));
      expectBounded422(bad, 'startSimulation');
      expect(bad.json.error.details).toEqual([depthDetail]);
    },
  );

  it('a body exactly MAX_JSON_DEPTH deep is accepted', async () => {
    const ok = await post('/simulations', simulation(MAX_JSON_DEPTH - 1));
    expect(ok.status).toBe(200);
    expect(responseProblems('startSimulation', 200, ok.json)).toEqual([]);
  });

  it('with an Idempotency-Key, a deep body answers 422 and leaves the key unused', async () => {
    const key = { 'Idempotency-Key': `deep-${Date.now()}` };
    const bad = await post('/simulations', simulation(5_000), key);
    expectBounded422(bad, 'startSimulation');
    expect(bad.json.error.details).toEqual([depthDetail]);
    const ok = await post('/simulations', simulation(3), key);
    expect(ok.status).toBe(200);
    expect(ok.response.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a deep array in any body answers 422, and the server keeps answering', async () => {
    const bad = await post('/agents', `${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    expectBounded422(bad, 'createAgent');
    expect(bad.json.error.details).toEqual([
      { location: 'body', field: '/0'.repeat(MAX_JSON_DEPTH), message: `is nested deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
    const health = await raw(`${context.server.origin}/health`);
    expect(health.status).toBe(200);
    const listed = await raw(`${context.server.url}/agents`, { key: context.server.key });
    expect(listed.status).toBe(200);
  });
});

describe('the depth check', () => {
  it('names the first value too deep in document order, with its keys escaped as a JSON pointer', () => {
    const value = { a: 1, 'x/y': [{ 'm~n': [[]] }], z: { deeper: { still: { more: { most: {} } } } } };
    expect(tooDeep(JSON.stringify(value), 4)).toBe('/x~1y/0/m~0n/0');
    expect(tooDeep(JSON.stringify(value), 5)).toBe('/z/deeper/still/more/most');
    expect(tooDeep(JSON.stringify(value), 6)).toBeUndefined();
    expect(tooDeep('"text"', 0)).toBeUndefined();
    expect(tooDeep(JSON.stringify(value, null, 2), 4)).toBe('/x~1y/0/m~0n/0');
  });

  it('reads brackets inside strings and escaped quotes as text, and decodes keys', () => {
    const brackets = JSON.stringify({ a: '[[[[{{{{', 'b"[': ['\\', '"]]', '\\"{'] });
    expect(tooDeep(brackets, 2)).toBeUndefined();
    expect(tooDeep(JSON.stringify({ 'q"\\[': [{ '\u00e9/\n': [] }] }), 3)).toBe('/q"\\[/0/\u00e9~1\n');
    expect(tooDeep(JSON.stringify([1, '}', [2, { k: 'x', l: [[]] }]]), 4)).toBe('/2/1/l/0');
  });

  it('agrees with a walk of the parsed value on random JSON', () => {
    const random = seededRandom(7);
    const alphabet = '[[{{]}""\\\\,:a/~\n';
    const text = () => Array.from({ length: random(12) }, () => alphabet[random(alphabet.length)]).join('');
    const make = (depth: number): unknown => {
      const kind = depth > 9 ? 2 : random(4);
      if (kind === 0) return Array.from({ length: random(4) }, () => make(depth + 1));
      if (kind === 1) return Object.fromEntries(Array.from({ length: random(4) }, () => [text(), make(depth + 1)]));
      return random(2) ? text() : random(100);
    };
    /** The reference: the first container deeper than `max`, by recursion over the parsed value. */
    const walk = (value: unknown, max: number, depth = 1, path = ''): string | undefined => {
      if (value === null || typeof value !== 'object') return undefined;
      if (depth > max) return path;
      for (const [key, child] of Object.entries(value)) {
        const found = walk(child, max, depth + 1, `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    for (let i = 0; i < 500; i += 1) {
      const value = make(1);
      for (let max = 1; max <= 6; max += 1) expect(tooDeep(JSON.stringify(value), max)).toBe(walk(value, max));
    }
  });
});

describe('the idempotency hash', () => {
  /** The recursive form this one replaced: stored hashes must not change. */
  function recursive(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(recursive).join(',')}]`;
    if (value && typeof value === 'object') {
      return `{${Object.keys(value)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${recursive((value as Record<string, unknown>)[key])}`)
        .join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
  }

  it('writes exactly what the recursive form wrote', () => {
    const samples: unknown[] = [
      null,
      0,
      -1.5e300,
      'x"\\\u2028',
      true,
      [],
      {},
      [undefined, null, [[]]],
      { b: 1, a: [2, { d: undefined, c: 'é' }] },
      {
        operationId: 'startSimulation',
        params: {},
        query: { max_turns: 20 },
        body: { custom_variables: { z: [1, { y: 2, x: 3 }], a: null } },
      },
    ];
    for (const sample of samples) expect(canonical(sample)).toBe(recursive(sample));
    expect(requestHash('op', { b: 1, a: 2 }, {}, [1])).toBe(requestHash('op', { a: 2, b: 1 }, {}, [1]));
  });

  it('hashes any depth without overflowing the stack', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i += 1) deep = { v: [deep] };
    expect(requestHash('op', {}, {}, deep)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the body limit', () => {
  it('the 413 answer names the configured limit', async () => {
    const dataDir = await tempDir();
    const small = await startServer({
      ...configFromEnv({ SIMS_DATA_DIR: dataDir, SIMS_RATE_LIMIT_MAX: '0', SIMS_LOG_LEVEL: 'silent' }),
      host: '127.0.0.1',
      port: 0,
      bodyLimit: 4_096,
    });
    try {
      const result = await raw(`${small.url}/agents`, {
        method: 'POST',
        key: small.firstStart!.key,
        body: JSON.stringify({ name: 'n', prompt: 'p'.repeat(5_000) }),
      });
      expect(result.status).toBe(413);
      expect(result.json.error.code).toBe('payload_too_large');
      expect(result.json.error.message).toBe('The request body exceeds the limit of 4096 bytes.');
      expect(responseProblems('createAgent', 413, result.json)).toEqual([]);
    } finally {
      await small.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('without a configured limit the message names none', () => {
    const error = Object.assign(new RangeError('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
      name: 'FastifyError',
    });
    expect(toApiError(error)?.message).toBe('The request body exceeds the size limit.');
    expect(toApiError(error, 2_048)?.message).toBe('The request body exceeds the limit of 2048 bytes.');
  });
});
