import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { bundledSpecPath } from './paths.js';

type Json = Record<string, unknown>;
export type HttpMethod = 'get' | 'post' | 'put' | 'delete' | 'patch';

export interface Operation {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  definition: Json;
}

const SPEC_ID = 'openapi.json';
const METHODS: HttpMethod[] = ['get', 'post', 'put', 'delete', 'patch'];

/** JSON-pointer escaping of one path segment (`/simulations/{id}` → `~1simulations~1{id}`). */
export const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Validates request and response bodies against the bundled spec with the JSON Schema 2020-12
 * dialect of OpenAPI 3.1. Schemas are compiled by JSON pointer into the spec, so `$ref`s resolve
 * exactly as in the document.
 */
export class SpecValidator {
  readonly spec: Json;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(spec: Json = JSON.parse(readFileSync(bundledSpecPath, 'utf8')) as Json) {
    this.spec = spec;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats.default(this.ajv);
    this.ajv.addSchema(spec, SPEC_ID);
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
    let current = node as Json;
    while (current && typeof current.$ref === 'string') {
      current = this.at((current.$ref as string).slice(1));
    }
    return current as T;
  }

  at(pointer: string): Json {
    return pointer
      .split('/')
      .slice(1)
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<Json>((node, key) => node?.[key] as Json, this.spec);
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
