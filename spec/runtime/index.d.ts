import type { Ajv2020, Options } from 'ajv/dist/2020.js';

export type JsonObject = Record<string, unknown>;

/** The id the whole spec is added under in Ajv: schemas refer into it as `openapi.json#/…`. */
export declare const SPEC_ID: 'openapi.json';

/** The bundled single-file spec written by `pnpm --filter @sims/spec bundle`. */
export declare const bundlePath: string;

/** The bundled spec, read from `bundlePath` unless another file is given. */
export declare function loadBundle(file?: string): JsonObject;

/** JSON-pointer escaping of one segment (`/simulations/{id}` → `~1simulations~1{id}`). */
export declare function escapePointer(segment: string): string;

/** The inverse of `escapePointer`. */
export declare function unescapePointer(segment: string): string;

/** The node at a JSON pointer (`/components/schemas/Error`), or `undefined` when there is none. */
export declare function at<T = JsonObject>(document: unknown, pointer: string): T;

/** Follows local `$ref`s from `node`, answering the node reached and the JSON pointer where it lives. */
export declare function resolveRef<T = JsonObject>(document: unknown, node: unknown, pointer?: string): { node: T; pointer: string };

/**
 * Ajv with the JSON Schema 2020-12 dialect of OpenAPI 3.1, the formats of ajv-formats, and the whole
 * spec added under `SPEC_ID`, so a schema `{ $ref: 'openapi.json#/components/schemas/Error' }`
 * resolves exactly as in the document. `strict` is off unless `options` turn it on: the spec holds
 * OpenAPI keywords (`example`, `x-…`) that are not JSON Schema.
 */
export declare function createAjv(spec: object, options?: Options): Ajv2020;

/**
 * The HTTP status of each error code, from the `x-status` map on the spec's `ErrorCode` schema;
 * throws when that map does not cover exactly the codes of the enum.
 */
export declare function errorStatuses(spec: object): Record<string, number>;
