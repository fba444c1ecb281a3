import fc from 'fast-check';
import { IdRef, KINDS, kindOfField, type Kind } from './ids.js';
import type { Auth, RequestPlan, WireValue } from './plan.js';
import type { FuzzParameter } from './spec-model.js';
import { EDGE_DATE_TIMES, INVALID_DATE_TIMES, repeated } from './values.js';

/*
 * The families of mutated requests: each takes a valid request of the operation and breaks one thing
 * in it, naming what it did in `shape` (`family:variant`) and `detail`.
 */

/** Valid `date-time` filters that naive parsing gets wrong (leap seconds, lower case, offsets). */
export function dateForms(params: FuzzParameter[], valid: fc.Arbitrary<RequestPlan>): fc.Arbitrary<RequestPlan> {
  return fc.tuple(valid, fc.constantFrom(...params), fc.constantFrom(...EDGE_DATE_TIMES)).map(([plan, param, date]) => ({
    ...plan,
    shape: 'query:date-forms',
    detail: `${param.name}=${date}`,
    query: [...plan.query.filter(([n]) => n !== param.name), [param.name, date]],
  }));
}

/** Path ids as clients get them wrong: other kinds, unknown, empty, long, broken percent-encoding, unicode. */
export function pathMutation(params: FuzzParameter[], valid: fc.Arbitrary<RequestPlan>): fc.Arbitrary<RequestPlan> {
  const forms = (own: Kind): Array<[string, fc.Arbitrary<WireValue>]> => [
    ['other-kind', fc.tuple(fc.constantFrom(...KINDS.filter((k) => k !== own)), fc.nat()).map(([kind, pick]) => new IdRef(kind, pick))],
    ['foreign', fc.nat().map((pick) => new IdRef(own, pick, 'foreign'))],
    ['unknown-uuid', fc.uuid()],
    ['random', fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme-ascii' })],
    ['unicode', fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' })],
    ['empty', fc.constant({ raw: '' })],
    ['long', fc.integer({ min: 101, max: 300 }).map((n) => repeated(n, 'a'))],
    ['bad-percent', fc.constantFrom('%ZZ', '%', 'abc%', '%E0%A4%A', '%C0%AF', '%FF', '%00', '%2', 'x%zzy').map((raw) => ({ raw }))],
    ['encoded-slash', fc.constantFrom('a%2Fb', '%2F', '..%2F..%2Fhealth', '%2e%2e').map((raw) => ({ raw }))],
    ['dot-segment', fc.constantFrom('.', '..').map((raw) => ({ raw }))],
  ];
  return fc.tuple(valid, fc.constantFrom(...params)).chain(([plan, param]) =>
    fc.constantFrom(...forms(kindOfField(param.name) ?? 'agent')).chain(([form, value]) =>
      value.map(
        (v): RequestPlan => ({
          ...plan,
          shape: `path:${form}`,
          detail: `${param.name}=${describe(v)}`,
          path: { ...plan.path, [param.name]: v },
        }),
      ),
    ),
  );
}

function describe(value: WireValue): string {
  if (value instanceof IdRef) return `<${value.scope} ${value.kind} id>`;
  return typeof value === 'string' ? JSON.stringify(value) : `raw ${JSON.stringify(value.raw)}`;
}

/** Query strings with wrong types, values out of range, repeated or unknown parameters, broken encoding. */
export function queryMutation(params: FuzzParameter[], valid: fc.Arbitrary<RequestPlan>): fc.Arbitrary<RequestPlan> {
  const wrongFor = (p: FuzzParameter): fc.Arbitrary<[string, WireValue[]]> => {
    const s = p.schema;
    const kind = kindOfField(p.name);
    if (kind) {
      return fc
        .oneof(
          fc.tuple(fc.constantFrom(...KINDS.filter((k) => k !== kind)), fc.nat()).map(([other, pick]) => new IdRef(other, pick)),
          fc.nat().map((pick) => new IdRef(kind, pick, 'foreign')),
          fc.uuid(),
        )
        .map((v): [string, WireValue[]] => ['wrong-id', [v]]);
    }
    if (s.type === 'integer') {
      const min = Number(s.minimum ?? 0);
      const max = Number(s.maximum ?? 100);
      return fc.oneof(
        fc
          .constantFrom('abc', '1.5', '', 'NaN', ' 5', '0x10', '1e3', '-', 'true', '[]')
          .map((v): [string, WireValue[]] => ['wrong-type', [v]]),
        fc
          .constantFrom(min - 1, max + 1, 0, -1, 2 ** 31, 2 ** 53 + 2, 1e23)
          .map((v): [string, WireValue[]] => ['out-of-range', [String(v)]]),
      );
    }
    if (s.format === 'date-time') return fc.constantFrom(...INVALID_DATE_TIMES).map((v): [string, WireValue[]] => ['invalid-date', [v]]);
    if (Array.isArray(s.enum))
      return fc.constantFrom('unknown', '', 'IN-PROGRESS', 'custom,agent_based').map((v): [string, WireValue[]] => ['not-in-enum', [v]]);
    if (s.type === 'array') {
      const max = Number(s.maxItems ?? 50);
      return fc
        .integer({ min: max + 1, max: max * 4 })
        .map((n): [string, WireValue[]] => ['too-many-items', Array.from({ length: n }, (_, i) => `id-${i}`)]);
    }
    const maxLength = Number(s.maxLength ?? 100);
    return fc.oneof(
      fc.constant<[string, WireValue[]]>(['empty', ['']]),
      fc.integer({ min: maxLength + 1, max: maxLength * 3 }).map((n): [string, WireValue[]] => ['too-long', [repeated(n, 'q')]]),
    );
  };
  type Change = (q: Array<[string, WireValue]>) => Array<[string, WireValue]>;
  type Mutation = { variant: string; name: string; apply: Change };
  const without = (q: Array<[string, WireValue]>, name: string) => q.filter(([n]) => n !== name);
  const mutations = fc.constantFrom(...params).chain((p) =>
    fc.oneof(
      {
        weight: 60,
        arbitrary: wrongFor(p).map(
          ([variant, values]): Mutation => ({
            variant,
            name: p.name,
            apply: (q) => [...without(q, p.name), ...values.map((v): [string, WireValue] => [p.name, v])],
          }),
        ),
      },
      {
        weight: 20,
        arbitrary: fc.constantFrom('1', '2', 'x').map(
          (second): Mutation => ({
            variant: 'repeated',
            name: p.name,
            apply: (q) => [...without(q, p.name), [p.name, q.find(([n]) => n === p.name)?.[1] ?? '1'], [p.name, second]],
          }),
        ),
      },
      {
        weight: 10,
        arbitrary: fc.constantFrom('%ZZ', '%', '%E0%A4%A', '%00').map(
          (raw): Mutation => ({
            variant: 'bad-percent',
            name: p.name,
            apply: (q) => [...without(q, p.name), [p.name, { raw }]],
          }),
        ),
      },
      { weight: 20, arbitrary: fc.constant<Mutation>({ variant: 'missing', name: p.name, apply: (q) => without(q, p.name) }) },
      {
        weight: 20,
        arbitrary: fc.constantFrom('foo', 'page', 'limit', 'PAGE_SIZE', '__proto__', 'page_size[]').map(
          (name): Mutation => ({
            variant: 'unknown-param',
            name,
            apply: (q) => [...q, [name, '1']],
          }),
        ),
      },
      // A URL past Node's 16 KiB limit on the request head, which Node answers before Fastify sees it.
      {
        weight: 1,
        arbitrary: fc.constant<Mutation>({
          variant: 'huge-url',
          name: p.name,
          apply: (q) => [...without(q, p.name), [p.name, repeated(17_000, 'u')]],
        }),
      },
    ),
  );
  return fc
    .tuple(valid, mutations)
    .map(([plan, m]) => ({ ...plan, shape: `query:${m.variant}`, detail: m.name, query: m.apply(plan.query) }));
}

const MALFORMED = [
  (t: string) => t.slice(0, Math.max(1, Math.floor(t.length / 2))),
  (t: string) => `${t}}`,
  (t: string) => `${t} trailing`,
  (t: string) => t.replace('"', "'"),
  (t: string) => `\uFEFF${t}`,
  () => '{',
  () => '{"name": }',
  () => 'NaN',
  () => '[1, 2',
  () => '{"a":1,}',
  () => '{"a":1 /* comment */}',
  () => 'undefined',
  () => '\u0000',
];

const CONTENT_TYPES: Array<string | null> = [
  null,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json-patch+json',
  'application/jsonx',
  '',
  'application/*',
];

/** Bodies that are not JSON, JSON under the wrong Content-Type, no body at all, or more than 1 MiB. */
export function bodyFormat(valid: fc.Arbitrary<RequestPlan>): fc.Arbitrary<RequestPlan> {
  const text = (plan: RequestPlan) =>
    JSON.stringify(plan.body.kind === 'json' ? plan.body.value : {}, (_k, v: unknown) => (v instanceof IdRef ? 'id' : v)) ?? '{}';
  return fc.tuple(valid, fc.nat(), fc.integer({ min: 0, max: 99 })).map(([plan, choice, roll]): RequestPlan => {
    if (roll < 45) {
      const malformed = MALFORMED[choice % MALFORMED.length]!(text(plan));
      return {
        ...plan,
        shape: 'body:malformed-json',
        detail: JSON.stringify(malformed.slice(0, 60)),
        body: { kind: 'text', text: malformed },
      };
    }
    if (roll < 80) {
      const contentType = CONTENT_TYPES[choice % CONTENT_TYPES.length]!;
      return { ...plan, shape: 'body:content-type', detail: String(contentType), contentType };
    }
    if (roll < 96) return { ...plan, shape: 'body:empty', body: { kind: 'text', text: choice % 2 ? '' : '  \n' } };
    return { ...plan, shape: 'body:too-large', body: { kind: 'text', text: `{"name":"${repeated(1_100_000)}"}` } };
  });
}

/** A body on an operation that takes none (GET, DELETE, execute). */
export function unexpectedBody(valid: fc.Arbitrary<RequestPlan>): fc.Arbitrary<RequestPlan> {
  return fc.tuple(valid, fc.nat(), fc.integer({ min: 0, max: 99 })).map(([plan, choice, roll]): RequestPlan => {
    if (roll < 50)
      return { ...plan, shape: 'body:unexpected-json', body: { kind: 'json', value: [{}, { a: 1 }, [], 'x', null][choice % 5] } };
    if (roll < 85)
      return { ...plan, shape: 'body:unexpected-malformed', body: { kind: 'text', text: ['{', 'hello', '\u0000'][choice % 3]! } };
    if (roll < 97)
      return { ...plan, shape: 'body:unexpected-content-type', contentType: 'text/plain', body: { kind: 'text', text: 'hello' } };
    return { ...plan, shape: 'body:unexpected-too-large', body: { kind: 'text', text: `"${repeated(1_100_000)}"` } };
  });
}

export function authMutation(valid: fc.Arbitrary<RequestPlan>): fc.Arbitrary<RequestPlan> {
  const auth: fc.Arbitrary<Auth> = fc.oneof(
    fc.constant<Auth>({ mode: 'missing' }),
    fc.constant<Auth>({ mode: 'foreign' }),
    fc.nat().map((variant): Auth => ({ mode: 'unknown', variant })),
    fc.nat().map((variant): Auth => ({ mode: 'malformed', variant })),
  );
  return fc.tuple(valid, auth).map(([plan, a]) => ({ ...plan, shape: `auth:${a.mode}`, auth: a }));
}

/** Client request ids (echoed when sane) and idempotency keys: invalid, or reused across requests. */
export function headerMutation(valid: fc.Arbitrary<RequestPlan>, headerParams: FuzzParameter[]): fc.Arbitrary<RequestPlan> {
  const idempotent = headerParams.some((p) => p.name === 'Idempotency-Key');
  const requestIds = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/).map((id) => ['request-id', id] as const),
    fc.constantFrom('has space', 'x'.repeat(200), '<script>', '').map((id) => ['request-id-odd', id] as const),
  );
  const keys = fc.oneof(
    fc.constantFrom('fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3').map((key) => ['idempotency-reuse', key] as const),
    fc.constantFrom(' ', 'k'.repeat(256), 'k'.repeat(1_000)).map((key) => ['idempotency-invalid', key] as const),
  );
  return fc.tuple(valid, idempotent ? fc.oneof(requestIds, keys) : requestIds).map(([plan, [variant, value]]) => ({
    ...plan,
    shape: `header:${variant}`,
    detail: JSON.stringify(value.slice(0, 60)),
    headers: { ...plan.headers, [variant.startsWith('request-id') ? 'X-Request-Id' : 'Idempotency-Key']: value },
  }));
}
