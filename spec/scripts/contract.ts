/**
 * The contract's breaking-change gate: the bundled spec compared with the last published contract
 * (`spec/contract/published.json`), with api-smart-diff classifying each change. See spec/README.md,
 * "Breaking changes", for the rule this enforces.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiCompare, type Diff } from 'api-smart-diff';
import { at, escapePointer, type JsonObject } from '../runtime/index.js';

export const contractDir = fileURLToPath(new URL('../contract', import.meta.url));
export const SNAPSHOT_FILE = 'published.json';
export const STAMP_FILE = 'published.stamp.json';

/** One breaking change, at one place on the wire. */
export interface BreakingChange {
  /** The operation it is seen in: `GET /simulations`, or `webhook agentTurn (POST)`. */
  operation: string;
  /** The part of the operation: `query parameter status`, `request body (application/json)`, `response 200 (…)`. */
  part: string;
  /** The field inside a body or parameter (`response.items[].status`), or '' for the part itself. */
  field: string;
  /** What changed, in plain words. */
  change: string;
  /** Where the changed node is written in the bundle (after following `$ref`s). */
  definedAt: string;
  /** True when api-smart-diff could not classify the change and the gate treats it as breaking. */
  unclassified: boolean;
}

/** What `pnpm contract:snapshot` writes beside the snapshot, so that the check can tell a copied or hand-edited one. */
export interface Stamp {
  note: string;
  version: string;
  sha256: string;
  previous_version: string | null;
  accepted_breaking_changes: string[];
}

export interface Outcome {
  ok: boolean;
  report: string;
}

type Path = (string | number)[];
type Direction = 'request' | 'response' | 'other';

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const WEBHOOK = 'webhook:';
// Component sections whose members are only ever seen through a `$ref` from an operation: a change
// there is reported (and classified, as request or response) at every operation that uses it.
const REFERENCED_SECTIONS = new Set(['schemas', 'parameters', 'responses', 'requestBodies', 'headers', 'examples']);

/**
 * api-smart-diff knows `paths` but not OpenAPI 3.1 `webhooks`. In a webhook the API is the client: the
 * request body is what we send (a response, for compatibility) and the 2xx answer is what we accept
 * (a request). Each webhook becomes a path with the two swapped, so the library's rules apply as they are.
 */
function withWebhooksAsPaths(spec: JsonObject): JsonObject {
  const copy = structuredClone(spec);
  const webhooks = (copy.webhooks ?? {}) as Record<string, Record<string, JsonObject>>;
  const paths = (copy.paths ?? {}) as Record<string, unknown>;
  for (const [name, item] of Object.entries(webhooks)) {
    const swapped: Record<string, unknown> = {};
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const responses = (operation.responses ?? {}) as Record<string, JsonObject>;
      const answer = Object.entries(responses).find(([code]) => code.startsWith('2'))?.[1];
      const sent = operation.requestBody as JsonObject | undefined;
      swapped[method] = {
        ...(answer?.content ? { requestBody: { required: true, content: answer.content } } : {}),
        responses: { '200': { description: 'sent', ...(sent?.content ? { content: sent.content } : {}) } },
      };
    }
    paths[`${WEBHOOK}${name}`] = swapped;
  }
  delete copy.webhooks;
  copy.paths = paths;
  return copy;
}

/** The webhook path back in the real document: `webhooks/<name>/<method>/…` with request and answer swapped back. */
function realPath(spec: JsonObject, path: Path): Path {
  const key = path[1];
  if (path[0] !== 'paths' || typeof key !== 'string' || !key.startsWith(WEBHOOK)) return path;
  const name = key.slice(WEBHOOK.length);
  const method = String(path[2]);
  const rest = path.slice(3);
  const head: Path = ['webhooks', name, method];
  if (rest[0] === 'requestBody') {
    const responses = (at<JsonObject>(spec, `/webhooks/${escapePointer(name)}/${method}/responses`) ?? {}) as JsonObject;
    const code = Object.keys(responses).find((c) => c.startsWith('2')) ?? '200';
    return [...head, 'responses', code, ...rest.slice(1)];
  }
  if (rest[0] === 'responses') return [...head, 'requestBody', ...rest.slice(2)];
  return [...head, ...rest];
}

/** Every `$ref` target reachable from the operations and webhooks, as `#/components/…` pointers. */
function reachableRefs(spec: JsonObject): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#') && !seen.has(value)) {
          seen.add(value);
          visit(at(spec, value.slice(1)));
        } else {
          visit(value);
        }
      }
    }
  };
  visit(spec.paths);
  visit(spec.webhooks);
  return seen;
}

/** The JSON pointer where the node at `path` of the dereferenced document is written, following `$ref`s. */
function definedAt(spec: JsonObject, path: Path): string {
  let node: unknown = spec;
  let pointer = '';
  for (const segment of path) {
    for (let hops = 0; hops < 32 && node && typeof node === 'object' && '$ref' in node && !(String(segment) in node); hops++) {
      pointer = String((node as JsonObject).$ref).replace(/^#/, '');
      node = at(spec, pointer);
    }
    if (!node || typeof node !== 'object' || !(String(segment) in node)) return `#${pointer}`;
    node = (node as Record<string, unknown>)[String(segment)];
    pointer += `/${escapePointer(String(segment))}`;
  }
  return `#${pointer}`;
}

function direction(path: Path): Direction {
  if (path[0] !== 'paths') return 'other';
  if (path[3] === 'responses') return 'response';
  if (path[3] === 'requestBody' || path[3] === 'parameters') return 'request';
  return 'other';
}

function typeSet(value: unknown): Set<string> {
  const types = new Set(Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);
  if (types.has('number')) types.add('integer');
  return types;
}

const within = (inner: Set<string>, outer: Set<string>) => [...inner].every((t) => outer.has(t));

/**
 * Where api-smart-diff's verdict is wrong for this contract, the gate's own, narrowly. The library
 * classifies response schemas by reversing its request rules, which turns an incompatible
 * replacement (string → integer, another `format`, `pattern` or `const`) into "non-breaking"; it
 * calls removing an optional field non-breaking, while our request bodies are closed (a removed
 * field is refused with 422) and typed clients read the optional response fields; and it calls every
 * `additionalProperties` change non-breaking, also closing a request body.
 */
function isBreaking(diff: Diff): { breaking: boolean; unclassified: boolean } {
  const path = diff.path as Path;
  const side = direction(path);
  const inSchema = path.includes('schema');
  const last = path[path.length - 1];
  const keyword = typeof last === 'number' ? path[path.length - 2] : last;
  // The document's tag list groups operations in the docs, and examples illustrate them: nothing of
  // either is on the wire (a schema property named `examples` is, so `properties` › `examples` is not one).
  if (path[0] === 'tags') return { breaking: false, unclassified: false };
  if (path.some((segment, i) => (segment === 'examples' || segment === 'example') && path[i - 1] !== 'properties')) {
    return { breaking: false, unclassified: false };
  }
  if (inSchema && keyword === 'type' && side !== 'other') {
    const before = typeSet(typeof last === 'number' ? undefined : diff.before);
    const after = typeSet(typeof last === 'number' ? undefined : diff.after);
    if (typeof last !== 'number' && diff.action === 'replace') {
      // A request may accept more types, a response may send fewer; anything else breaks a client.
      return { breaking: side === 'request' ? !within(before, after) : !within(after, before), unclassified: false };
    }
  }
  if (inSchema && side === 'response' && diff.action === 'replace' && ['format', 'pattern', 'const'].includes(String(keyword))) {
    return { breaking: true, unclassified: false };
  }
  if (inSchema && diff.action === 'remove' && path[path.length - 2] === 'properties') return { breaking: true, unclassified: false };
  if (
    inSchema &&
    side === 'request' &&
    ['additionalProperties', 'unevaluatedProperties'].includes(String(last)) &&
    diff.action !== 'remove' &&
    diff.after === false
  ) {
    return { breaking: true, unclassified: false };
  }
  if (diff.type === 'unclassified') return { breaking: true, unclassified: true };
  return { breaking: diff.type === 'breaking', unclassified: false };
}

const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** `response.items[].status`: the field holding the change, from the schema path below `schema`. */
function fieldName(schemaPath: Path): string {
  // A path ending in `properties/<name>` is about that field of its parent (added or removed).
  const end = schemaPath[schemaPath.length - 2] === 'properties' ? schemaPath.length - 2 : schemaPath.length;
  let field = '';
  for (let i = 0; i < end; i++) {
    const segment = schemaPath[i];
    const next = schemaPath[i + 1];
    if (segment === 'properties' && next !== undefined) {
      field += field ? `.${next}` : String(next);
      i++;
    } else if (segment === 'items') {
      field += '[]';
    } else if ((segment === 'oneOf' || segment === 'anyOf' || segment === 'allOf') && typeof next === 'number') {
      if (i + 2 < end) field += `(${segment} ${next})`;
      i++;
    } else if (segment === 'additionalProperties' && i + 1 < end) {
      field += '.*';
    }
  }
  return field;
}

function describeSchemaChange(diff: Diff, schemaPath: Path): { field: string; change: string } {
  const last = schemaPath[schemaPath.length - 1];
  const parent = schemaPath[schemaPath.length - 2];
  const field = fieldName(schemaPath);
  const verb = { add: 'added', remove: 'removed', replace: 'changed', rename: 'renamed' }[diff.action];
  if (parent === 'properties') return { field, change: `field \`${last}\` ${verb}` };
  if (parent === 'required' && typeof last === 'number') {
    return diff.action === 'add'
      ? { field, change: `field \`${diff.after}\` made required` }
      : diff.action === 'remove'
        ? { field, change: `field \`${diff.before}\` no longer required` }
        : { field, change: `required field ${show(diff.before)} changed to ${show(diff.after)}` };
  }
  if (parent === 'enum' && typeof last === 'number') {
    return { field, change: diff.action === 'add' ? `enum value ${show(diff.after)} added` : `enum value ${show(diff.before)} ${verb}` };
  }
  if ((parent === 'oneOf' || parent === 'anyOf') && typeof last === 'number') return { field, change: `${parent} variant ${last} ${verb}` };
  if (last === 'schema' || schemaPath.length === 0) return { field, change: `schema ${verb}` };
  const keyword = typeof last === 'number' ? `${parent}[${last}]` : String(last);
  if (diff.action === 'replace') return { field, change: `\`${keyword}\` changed from ${show(diff.before)} to ${show(diff.after)}` };
  return { field, change: `\`${keyword}\` ${show(diff.action === 'add' ? diff.after : diff.before)} ${verb}` };
}

function describe(diff: Diff, before: JsonObject, after: JsonObject): Omit<BreakingChange, 'definedAt' | 'unclassified'> {
  const path = diff.path as Path;
  const verb = { add: 'added', remove: 'removed', replace: 'changed', rename: 'renamed' }[diff.action];
  if (path[0] !== 'paths' || path.length < 3) {
    return { operation: '(document)', part: path.map(String).join('.'), field: '', change: `${show(diff.before)} → ${show(diff.after)}` };
  }
  const key = String(path[1]);
  const method = String(path[2]).toUpperCase();
  const webhook = key.startsWith(WEBHOOK);
  const operation = webhook ? `webhook ${key.slice(WEBHOOK.length)} (${method})` : `${method} ${key}`;
  const rest = path.slice(3);
  if (rest.length === 0) return { operation, part: '', field: '', change: `operation ${verb}` };
  const schemaAt = rest.indexOf('schema');
  let part = String(rest[0]);
  if (rest[0] === 'parameters') {
    const spec = diff.action === 'add' ? after : before;
    const item = (spec.paths as Record<string, JsonObject>)[key] ?? {};
    const operationParameters = ((item[String(path[2])] as JsonObject | undefined)?.parameters ?? []) as unknown[];
    const all = [...operationParameters, ...((item.parameters ?? []) as unknown[])];
    let parameter = all[Number(rest[1])] as JsonObject | undefined;
    if (parameter?.$ref) parameter = at<JsonObject>(spec, String(parameter.$ref).slice(1));
    part = parameter ? `${parameter.in} parameter \`${parameter.name}\`` : `parameter #${rest[1]}`;
    if (rest.length === 2) return { operation, part, field: '', change: `parameter ${verb}` };
    if (rest[2] === 'required')
      return { operation, part, field: '', change: diff.after ? 'parameter made required' : 'parameter no longer required' };
  } else if (rest[0] === 'requestBody') {
    const body = webhook ? 'the agent’s answer' : 'request body';
    part = rest[2] === undefined ? body : `${body} (${rest[2]})`;
    if (rest.length === 1) return { operation, part, field: '', change: `${body} ${verb}` };
    if (rest[1] === 'required')
      return { operation, part, field: '', change: diff.after ? 'body made required' : 'body no longer required' };
    if (rest.length === 3) return { operation, part, field: '', change: `content type ${rest[2]} ${verb}` };
  } else if (rest[0] === 'responses') {
    const sent = webhook ? 'request sent to the agent' : `response ${rest[1]}`;
    part = rest[3] === undefined || rest[2] !== 'content' ? sent : `${sent} (${rest[3]})`;
    if (rest.length === 2) return { operation, part, field: '', change: `${sent} ${verb}` };
    if (rest[2] === 'content' && rest.length === 4) return { operation, part, field: '', change: `content type ${rest[3]} ${verb}` };
    if (rest[2] === 'headers')
      return { operation, part: `${sent} header ${rest[3]}`, field: '', change: `${rest.slice(4).join('.') || 'header'} ${verb}` };
  }
  if (schemaAt >= 0) return { operation, part, ...describeSchemaChange(diff, rest.slice(schemaAt + 1)) };
  return { operation, part: '', field: '', change: `${rest.join('.')} ${verb}: ${show(diff.before)} → ${show(diff.after)}` };
}

/** The breaking changes from `before` to `after` (two bundled specs), one per place on the wire. */
export function breakingChanges(before: JsonObject, after: JsonObject): BreakingChange[] {
  const left = withWebhooksAsPaths(before);
  const right = withWebhooksAsPaths(after);
  const reached = new Set([...reachableRefs(before), ...reachableRefs(after)]);
  // The library rewrites the documents it walks: it gets copies.
  const { diffs } = apiCompare(structuredClone(left), structuredClone(right));
  const changes: BreakingChange[] = [];
  for (const diff of diffs) {
    const path = diff.path as Path;
    if (path[0] === 'components' && REFERENCED_SECTIONS.has(String(path[1]))) {
      // Seen at each operation that uses it; a component that no operation reaches (the NDJSON line
      // schema, described in prose only) keeps the library's component-level verdict.
      if (reached.has(`#/components/${escapePointer(String(path[1]))}/${escapePointer(String(path[2]))}`)) continue;
    }
    const verdict = isBreaking(diff);
    if (!verdict.breaking) continue;
    const source = diff.action === 'add' ? after : before;
    const located = path[0] === 'components' ? path : realPath(source, path);
    const described =
      path[0] === 'components'
        ? { operation: `component ${path[1]}/${path[2]}`, part: '', ...describeSchemaChange(diff, path.slice(3)) }
        : describe(diff, left, right);
    changes.push({ ...described, definedAt: definedAt(source, located), unclassified: verdict.unclassified });
  }
  return changes;
}

/** One line a change: `GET /simulations › query parameter `status`: enum value "failed" removed (#/…)`. */
function formatChange(change: BreakingChange): string {
  return `${place(change)}: ${change.change}${note(change)} (${change.definedAt})`;
}

const place = (change: BreakingChange) => [change.operation, change.part, change.field].filter(Boolean).join(' › ');
const note = (change: BreakingChange) => (change.unclassified ? ' [not classified by the diff tool: treated as breaking]' : '');

/** The changes grouped by what changed where it is written, each with the places it is seen (a shared schema shows in many). */
function formatChanges(changes: BreakingChange[], shown = 5): string[] {
  const groups = new Map<string, BreakingChange[]>();
  for (const change of changes) {
    const key = `${change.definedAt}\u0000${change.change}`;
    groups.set(key, [...(groups.get(key) ?? []), change]);
  }
  const lines: string[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    lines.push(`  - ${first.change}${note(first)}, at ${first.definedAt}`);
    const places = [...new Set(group.map(place))];
    for (const where of places.slice(0, shown)) lines.push(`      in ${where}`);
    if (places.length > shown) lines.push(`      and ${places.length - shown} more place(s)`);
  }
  return lines;
}

export const sha256 = (spec: unknown) => createHash('sha256').update(JSON.stringify(spec)).digest('hex');

const version = (spec: JsonObject) => String((spec.info as JsonObject | undefined)?.version ?? '');

/** Semantic-version precedence of a and b (major.minor.patch, then a pre-release sorts first), or NaN when either is not one. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(v);
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return Number.NaN;
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return Math.sign(d);
  }
  if (x[4] === y[4]) return 0;
  if (x[4] === undefined) return 1;
  if (y[4] === undefined) return -1;
  return x[4] < y[4] ? -1 : 1;
}

const major = (v: string) => Number(v.split('.')[0]);

/** Why a snapshot cannot be trusted, or undefined when its stamp matches it. */
function tampered(snapshot: JsonObject, stamp: Stamp | undefined): string | undefined {
  if (!stamp) return `${STAMP_FILE} is missing`;
  if (stamp.sha256 !== sha256(snapshot) || stamp.version !== version(snapshot)) {
    return `${SNAPSHOT_FILE} is not the file \`pnpm contract:snapshot\` wrote (its hash or version differs from ${STAMP_FILE})`;
  }
  return undefined;
}

const RESTORE = 'restore spec/contract/ from the last commit that changed it, then change the snapshot only with `pnpm contract:snapshot`';

/**
 * The gate: the current bundle against the published snapshot. Passes when nothing breaks (additions,
 * documentation); fails on any breaking change, whatever `info.version` says, until the breaking
 * change is published on purpose with `pnpm contract:snapshot` (which needs a new major version).
 */
export function checkContract(current: JsonObject, snapshot: JsonObject, stamp: Stamp | undefined): Outcome {
  const published = version(snapshot);
  const now = version(current);
  const broken = tampered(snapshot, stamp);
  if (broken) return { ok: false, report: `contract: ${broken}: ${RESTORE}.` };
  if (!(compareVersions(now, published) >= 0)) {
    return { ok: false, report: `contract: info.version ${now} is not a semantic version at or above the published ${published}.` };
  }
  const changes = breakingChanges(snapshot, current);
  if (changes.length === 0) {
    const same = sha256(snapshot) === sha256(current);
    return {
      ok: true,
      report: `contract: no breaking change against the published ${published}${same ? ' (identical)' : ' (additions or documentation only)'}.`,
    };
  }
  const lines = formatChanges(changes);
  const fix =
    now === published
      ? `If this is on purpose: raise the major version of info.version in spec/openapi.yaml (now ${now}) and run \`pnpm contract:snapshot\`; otherwise undo the change.`
      : `info.version is ${now} but the snapshot is still ${published}: run \`pnpm contract:snapshot\` to publish the breaking change on purpose (it needs a new major version), or undo the change.`;
  return {
    ok: false,
    report: [`contract: ${changes.length} breaking change(s) against the published ${published}:`, ...lines, fix].join('\n'),
  };
}

/**
 * `pnpm contract:snapshot`: the current bundle becomes the published contract, only under a higher
 * `info.version` (a published version never changes), and under a higher major version when anything
 * breaks. Answers the new snapshot and stamp to write, or why not.
 */
export function snapshotContract(
  current: JsonObject,
  snapshot: JsonObject | undefined,
  stamp: Stamp | undefined,
): Outcome & { files?: { snapshot: JsonObject; stamp: Stamp } } {
  const now = version(current);
  const note =
    'Written by `pnpm contract:snapshot` with published.json; `pnpm contract:check` refuses a published.json that does not match it.';
  if (!snapshot) {
    return {
      ok: true,
      report: `contract: first snapshot, version ${now}.`,
      files: {
        snapshot: current,
        stamp: { note, version: now, sha256: sha256(current), previous_version: null, accepted_breaking_changes: [] },
      },
    };
  }
  const broken = tampered(snapshot, stamp);
  if (broken) return { ok: false, report: `contract: ${broken}: ${RESTORE}.` };
  const published = version(snapshot);
  if (sha256(snapshot) === sha256(current)) return { ok: true, report: `contract: the snapshot is already the current contract (${now}).` };
  if (!(compareVersions(now, published) > 0)) {
    return {
      ok: false,
      report: `contract: ${published} is published and never changes: raise info.version in spec/openapi.yaml (now ${now}) to publish this contract.`,
    };
  }
  const found = breakingChanges(snapshot, current);
  const changes = found.map(formatChange);
  if (changes.length > 0 && !(major(now) > major(published))) {
    return {
      ok: false,
      report: [
        `contract: ${changes.length} breaking change(s) need a new major version (published ${published}, now ${now}):`,
        ...formatChanges(found),
      ].join('\n'),
    };
  }
  return {
    ok: true,
    report: [
      `contract: snapshot ${published} → ${now}${changes.length ? `, accepting ${changes.length} breaking change(s):` : '.'}`,
      ...formatChanges(found),
    ].join('\n'),
    files: {
      snapshot: current,
      stamp: { note, version: now, sha256: sha256(current), previous_version: published, accepted_breaking_changes: changes },
    },
  };
}

const readJson = <T>(file: string): T | undefined => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined);

/** The check on files: the bundle at `currentFile` against the snapshot in `dir`. */
export function checkFiles(currentFile: string, dir = contractDir): Outcome {
  const current = readJson<JsonObject>(currentFile);
  if (!current) return { ok: false, report: `contract: ${currentFile} is missing: run \`pnpm bundle\` first.` };
  const snapshot = readJson<JsonObject>(join(dir, SNAPSHOT_FILE));
  if (!snapshot) return { ok: false, report: `contract: no ${join(dir, SNAPSHOT_FILE)}: run \`pnpm contract:snapshot\` once.` };
  return checkContract(current, snapshot, readJson<Stamp>(join(dir, STAMP_FILE)));
}

/** The snapshot on files: writes `dir`'s snapshot and stamp when allowed. */
export function snapshotFiles(currentFile: string, dir = contractDir): Outcome {
  const current = readJson<JsonObject>(currentFile);
  if (!current) return { ok: false, report: `contract: ${currentFile} is missing: run \`pnpm bundle\` first.` };
  const outcome = snapshotContract(current, readJson<JsonObject>(join(dir, SNAPSHOT_FILE)), readJson<Stamp>(join(dir, STAMP_FILE)));
  if (outcome.files) {
    mkdirSync(dir, { recursive: true });
    // Two-space JSON, one value a line, so that a re-snapshot reads as a diff of the contract.
    writeFileSync(join(dir, SNAPSHOT_FILE), `${JSON.stringify(outcome.files.snapshot, null, 2)}\n`);
    writeFileSync(join(dir, STAMP_FILE), `${JSON.stringify(outcome.files.stamp, null, 2)}\n`);
  }
  return { ok: outcome.ok, report: outcome.report };
}
