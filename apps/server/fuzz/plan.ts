import type { IdRef } from './ids.js';

/** How the request authenticates: the fuzzed workspace's key, another workspace's, or a broken one. */
export type Auth = { mode: 'valid' | 'foreign' | 'missing' } | { mode: 'unknown' | 'malformed'; variant: number };

/** A path or query value: an id to resolve when sending, text to percent-encode, or text sent as-is. */
export type WireValue = IdRef | string | { raw: string };

type BodyPlan =
  | { kind: 'none' }
  /** JSON of `value`; `splice` replaces the string `SPLICE` in the text (nesting too deep to build as a value). */
  | { kind: 'json'; value: unknown; splice?: string }
  | { kind: 'text'; text: string };

/** One generated request, before its ids are resolved: a pure function of seed and index. */
export interface RequestPlan {
  operationId: string;
  /** `family:variant` — what was done to the request (`valid`, `path:bad-percent`, `body:wrong-type`…). */
  shape: string;
  /** Where the mutation struck and with what, for people. */
  detail?: string;
  auth: Auth;
  path: Record<string, WireValue>;
  query: Array<[string, WireValue]>;
  headers: Record<string, string>;
  /** `undefined`: `application/json` when there is a body; `null`: no Content-Type header. */
  contentType?: string | null;
  body: BodyPlan;
}
