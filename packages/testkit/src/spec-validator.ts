import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { SPEC_ID, at, createAjv, escapePointer, loadBundle, resolveRef } from './spec-runtime.js';

type Json = Record<string, unknown>;
export type HttpMethod = 'get' | 'post' | 'put' | 'delete' | 'patch';

export interface Operation {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  definition: Json;
}

const METHODS: HttpMethod[] = ['get', 'post', 'put', 'delete', 'patch'];

/**
 * Validates request and response bodies against the bundled spec with the JSON Schema 2020-12
 * dialect of OpenAPI 3.1. Schemas are compiled by JSON pointer into the spec, so `$ref`s resolve
 * exactly as in the document.
 */
export class SpecValidator {
  readonly spec: Json;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(spec: Json = loadBundle()) {
    this.spec = spec;
    this.ajv = createAjv(spec, { allErrors: true, validateFormats: true });
  }

  operations(): Operation[] {
    const paths = this.spec.paths as Record<string, Json>;
    return Object.entries(paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => {
        const definition = item[method] as Json;
        return { method, path, operationId: String(definition.operationId), summary: String(definition.summary), definition };
      }),
    );
  }

  operation(operationId: string): Operation {
    const found = this.operations().find((op) => op.operationId === operationId);
    if (!found) throw new Error(`no operation ${operationId} in the spec`);
    return found;
  }

  /** Resolves a local `$ref` (`#/components/...`) to the node it points at. */
  resolve<T = Json>(node: unknown): T {
    return resolveRef<T>(this.spec, node).node;
  }

  at(pointer: string): Json {
    return at(this.spec, pointer);
  }

  /** Checks a value against the schema at a JSON pointer of the spec. */
  validateAt(pointer: string, value: unknown): ErrorObject[] {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate(value) ? [] : [...(validate.errors ?? [])];
  }

  validateSchema(name: string, value: unknown): ErrorObject[] {
    return this.validateAt(`/components/schemas/${escapePointer(name)}`, value);
  }

  /** Checks a response body against what the operation declares for that status and media type. */
  validateResponse(operationId: string, status: number, body: unknown, mediaType = 'application/json'): ErrorObject[] {
    const op = this.operation(operationId);
    const responses = op.definition.responses as Record<string, unknown>;
    const declared = responses[String(status)];
    if (!declared) throw new Error(`${operationId} does not declare status ${status}`);
    const ref = (declared as Json).$ref as string | undefined;
    const base = ref ? ref.slice(1) : `/paths/${escapePointer(op.path)}/${op.method}/responses/${status}`;
    const response = this.resolve<Json>(declared);
    const content = response.content as Record<string, unknown> | undefined;
    if (!content) {
      return body === undefined || body === '' ? [] : [{ message: `status ${status} declares no body` } as ErrorObject];
    }
    if (!content[mediaType]) throw new Error(`${operationId} ${status} declares no ${mediaType} body`);
    return this.validateAt(`${base}/content/${escapePointer(mediaType)}/schema`, body);
  }
}

export function formatErrors(errors: ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
}
