import type { HttpMethod, SpecValidator } from '@sims/testkit';

export type Schema = Record<string, unknown>;

export interface FuzzParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

/** What the fuzzer needs to know of one operation, read from the bundled spec. */
export interface FuzzOperation {
  operationId: string;
  method: HttpMethod;
  /** As the spec writes it, without the server's `/v2` prefix (`/agents/{agent_id}`). */
  path: string;
  secured: boolean;
  parameters: FuzzParameter[];
  body?: { schema: Schema; required: boolean };
  /** Every status the operation declares. */
  statuses: Set<number>;
  /** Media types the operation declares per status (none for a body-less answer such as 204). */
  media: Map<number, string[]>;
}

/** Every operation of the spec, with `$ref`s of parameters, bodies and responses resolved one level. */
export function fuzzOperations(validator: SpecValidator): FuzzOperation[] {
  const spec = validator.spec;
  const globallySecured = Array.isArray(spec.security) && spec.security.length > 0;
  const paths = spec.paths as Record<string, Schema>;
  return validator.operations().map((op) => {
    const item = paths[op.path]!;
    const raw = [...((item.parameters as unknown[] | undefined) ?? []), ...((op.definition.parameters as unknown[] | undefined) ?? [])];
    const parameters = raw
      .map((node) => validator.resolve<Schema>(node))
      .map((p) => ({
        name: String(p.name),
        in: p.in as FuzzParameter['in'],
        required: Boolean(p.required),
        schema: validator.resolve<Schema>(p.schema),
      }));
    let body: FuzzOperation['body'];
    if (op.definition.requestBody) {
      const requestBody = validator.resolve<Schema>(op.definition.requestBody);
      const content = requestBody.content as Record<string, Schema>;
      body = { schema: content['application/json']!.schema as Schema, required: Boolean(requestBody.required) };
    }
    const responses = op.definition.responses as Record<string, unknown>;
    const media = new Map<number, string[]>();
    for (const [status, response] of Object.entries(responses)) {
      const content = validator.resolve<Schema>(response).content as Record<string, unknown> | undefined;
      media.set(Number(status), Object.keys(content ?? {}));
    }
    const security = op.definition.security as unknown[] | undefined;
    return {
      operationId: op.operationId,
      method: op.method,
      path: op.path,
      secured: security ? security.length > 0 : globallySecured,
      parameters,
      ...(body ? { body } : {}),
      statuses: new Set(media.keys()),
      media,
    };
  });
}
