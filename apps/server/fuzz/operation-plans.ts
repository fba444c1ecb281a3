import fc from 'fast-check';
import { mutateBody } from './body-mutations.js';
import { heavyBody, heavyTargets } from './heavy.js';
import { IdRef, kindOfField, type Kind, type Scope } from './ids.js';
import type { RequestPlan, WireValue } from './plan.js';
import { authMutation, bodyFormat, dateForms, headerMutation, pathMutation, queryMutation, unexpectedBody } from './request-mutations.js';
import { arbitraryFor, type SchemaContext } from './schema-arbitrary.js';
import type { FuzzOperation, FuzzParameter } from './spec-model.js';

type Family = { weight: number; arbitrary: fc.Arbitrary<RequestPlan> };

const HEADER_CHARS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));
const headerText = (minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...HEADER_CHARS), minLength, maxLength });

/** Every request the fuzzer makes for one operation, valid ones most of the time. */
export function operationPlans(op: FuzzOperation, deref: SchemaContext['deref']): fc.Arbitrary<RequestPlan> {
  const suiteInPath = op.parameters.some((p) => p.in === 'path' && kindOfField(p.name) === 'suite');
  const ref = (kind: Kind, scope: Scope = 'own') => fc.nat().map((pick) => new IdRef(kind, pick, scope));
  const context: SchemaContext = {
    deref,
    idField(name) {
      const kind = kindOfField(name);
      if (!kind) return undefined;
      // Ids of the wrong kind, workspace or none at all are the `wrong-id` mutations.
      return kind === 'agent' && suiteInPath ? ref(kind, 'suite-agent') : ref(kind);
    },
  };
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const headerParams = op.parameters.filter((p) => p.in === 'header');
  const dateParams = queryParams.filter((p) => p.schema.format === 'date-time');

  const validPath: fc.Arbitrary<Record<string, WireValue>> = fc.record(
    Object.fromEntries(
      pathParams.map((p) => {
        const kind = kindOfField(p.name) ?? 'agent';
        // Deletes take ids the fuzzer made, so the seeded records stay for the other operations.
        return [p.name, ref(kind, op.method === 'delete' ? 'disposable' : 'own')];
      }),
    ),
  );
  const validQuery = queryArbitrary(queryParams, context);
  const validHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
    Object.fromEntries(
      headerParams.map((p) => [
        p.name,
        p.name === 'Idempotency-Key'
          ? fc.uuid()
          : headerText(Number(p.schema.minLength ?? 1), Math.min(Number(p.schema.maxLength ?? 64), 64)),
      ]),
    ),
    { requiredKeys: headerParams.filter((p) => p.required).map((p) => p.name) },
  );
  const validBody: fc.Arbitrary<unknown> | undefined = op.body ? arbitraryFor(op.body.schema, context) : undefined;

  const valid: fc.Arbitrary<RequestPlan> = fc
    .record({ path: validPath, query: validQuery, headers: validHeaders, body: validBody ?? fc.constant(undefined) })
    .map(({ path, query, headers, body }) => ({
      operationId: op.operationId,
      shape: 'valid',
      auth: { mode: 'valid' },
      path,
      query,
      headers,
      body: validBody ? { kind: 'json', value: body } : { kind: 'none' },
    }));
  const families: Family[] = [{ weight: 50, arbitrary: valid }];

  if (pathParams.length) families.push({ weight: 10, arbitrary: pathMutation(pathParams, valid) });
  if (queryParams.length) families.push({ weight: 8, arbitrary: queryMutation(queryParams, valid) });
  if (dateParams.length) families.push({ weight: 3, arbitrary: dateForms(dateParams, valid) });
  if (op.body && validBody) {
    families.push({
      weight: 14,
      arbitrary: fc.tuple(valid, mutateBody(validBody)).map(([plan, mutated]) => ({
        ...plan,
        shape: `body:${mutated.variant}`,
        detail: mutated.where,
        body: { kind: 'json', value: mutated.value },
      })),
    });
    families.push({ weight: 5, arbitrary: bodyFormat(valid) });
    const targets = heavyTargets(op.body.schema, context);
    if (targets.length) {
      // About 1 request in 40 of an operation with a body, 1 in 100 overall: each can cost the server a lot.
      const heavy = fc.oneof(...targets.map((t) => ({ weight: t.unknownField ? 1 : 3, arbitrary: heavyBody(t, context) })));
      families.push({
        weight: 2,
        arbitrary: fc.tuple(valid, heavy).map(([plan, heavy]) => ({
          ...plan,
          shape: `body:${heavy.variant}`,
          detail: heavy.where,
          body: { kind: 'json', value: heavy.value, ...(heavy.splice ? { splice: heavy.splice } : {}) },
        })),
      });
    }
  } else {
    families.push({ weight: 2, arbitrary: unexpectedBody(valid) });
  }
  if (op.secured) families.push({ weight: 4, arbitrary: authMutation(valid) });
  families.push({ weight: 2, arbitrary: headerMutation(valid, headerParams) });
  return fc.oneof(...families);
}

function queryArbitrary(params: FuzzParameter[], context: SchemaContext): fc.Arbitrary<Array<[string, WireValue]>> {
  const model = Object.fromEntries(params.map((p) => [p.name, arbitraryFor(p.schema, context, p.name)]));
  return fc
    .record(model, { requiredKeys: params.filter((p) => p.required).map((p) => p.name) })
    .map((values) =>
      Object.entries(values).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((v): [string, WireValue] => [name, v instanceof IdRef ? v : String(v)]),
      ),
    );
}
