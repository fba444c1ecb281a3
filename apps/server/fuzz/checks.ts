import { ERROR_STATUS } from '@sims/api-types/error-status';
import { formatErrors, type SpecValidator } from '@sims/testkit';
import { nodes } from './json-paths.js';
import type { FuzzOperation } from './spec-model.js';
import { REFUSED_URLS } from './values.js';
import type { WireResponse } from './wire.js';

/**
 * What a response can get wrong. `schema` is a 2xx body that breaks its declared schema;
 * `error-shape` an error (4xx/5xx) body that is not the spec's `Error` or whose `request_id` is not
 * the `X-Request-Id` header; `url-guard` a 2xx to a body whose agent connector names a URL the
 * outbound guard must refuse.
 */
export const PROBLEMS = [
  'no-response',
  '5xx',
  'undeclared-status',
  'schema',
  'error-shape',
  'request-id-header',
  'content-type',
  'url-guard',
] as const;
export type ProblemKind = (typeof PROBLEMS)[number];

export interface Problem {
  kind: ProblemKind;
  message: string;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/**
 * Answers the connection gives before any operation is known (spec `ErrorCode`: no operation declares
 * them); they must still be the `Error` body with this code.
 */
const CONNECTION_ANSWERS = new Map<number, string>(
  (['request_timeout', 'headers_too_large'] as const).map((code) => [ERROR_STATUS[code], code]),
);
const GENERATE_EVENT = 'SimulationCaseGenerateEvent';

/** Every way the response breaks the contract of the operation it was sent to. */
export function checkResponse(
  validator: SpecValidator,
  op: FuzzOperation,
  sent: { requestId?: string; body?: unknown },
  response: WireResponse,
): Problem[] {
  const problems: Problem[] = [];
  const sentRequestId = sent.requestId;
  const { status } = response;
  const requestId = header(response, 'x-request-id');
  if (!requestId) problems.push({ kind: 'request-id-header', message: 'no X-Request-Id header' });
  else if (sentRequestId !== undefined && SANE_REQUEST_ID.test(sentRequestId) && requestId !== sentRequestId) {
    problems.push({ kind: 'request-id-header', message: `X-Request-Id ${requestId} does not echo the client's ${sentRequestId}` });
  }
  if (status >= 500) problems.push({ kind: '5xx', message: `status ${status}` });
  const declared = op.statuses.has(status) || CONNECTION_ANSWERS.has(status);
  if (!declared)
    problems.push({ kind: 'undeclared-status', message: `status ${status} is not declared (declared: ${[...op.statuses].join(', ')})` });
  const contentType = (header(response, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = response.body.toString('utf8');

  if (status >= 400) {
    const body = parseJson(text);
    if (body === undefined) {
      problems.push({ kind: 'error-shape', message: `error body is not JSON (${contentType || 'no content type'}): ${excerpt(text)}` });
      return problems;
    }
    const errors = validator.validateSchema('Error', body);
    if (errors.length)
      problems.push({ kind: 'error-shape', message: `not the Error schema: ${formatErrors(errors.slice(0, 5))}; body ${excerpt(text)}` });
    else {
      const { request_id: bodyId, code } = (body as { error: { request_id: string; code: string } }).error;
      const connectionCode = CONNECTION_ANSWERS.get(status);
      if (connectionCode && code !== connectionCode)
        problems.push({ kind: 'error-shape', message: `a ${status} must carry the code ${connectionCode}, got ${code}` });
      if (bodyId !== requestId)
        problems.push({ kind: 'error-shape', message: `error.request_id ${bodyId} differs from X-Request-Id ${requestId ?? '(none)'}` });
    }
    if (declared && contentType !== 'application/json')
      problems.push({ kind: 'content-type', message: `Content-Type ${contentType || '(none)'} for a JSON error` });
    return problems;
  }
  if (!declared) return problems;
  const refused = refusedUrl(sent.body);
  if (refused)
    problems.push({ kind: 'url-guard', message: `accepted the connector URL ${refused}, which the outbound URL guard must refuse` });

  const media = op.media.get(status) ?? [];
  if (!media.length) {
    if (response.body.length) problems.push({ kind: 'schema', message: `status ${status} declares no body, got ${excerpt(text)}` });
    return problems;
  }
  if (!media.includes(contentType)) {
    problems.push({ kind: 'content-type', message: `Content-Type ${contentType || '(none)'}, declared ${media.join(', ')}` });
    return problems;
  }
  if (contentType === 'application/x-ndjson') return [...problems, ...checkStream(validator, text)];
  const body = parseJson(text);
  if (body === undefined) return [...problems, { kind: 'schema', message: `body is not JSON: ${excerpt(text)}` }];
  const errors = validator.validateResponse(op.operationId, status, body, contentType);
  if (errors.length) problems.push({ kind: 'schema', message: formatErrors(errors.slice(0, 5)) });
  return problems;
}

/** The generation stream: every line one event, the last one `done` or `error`. */
function checkStream(validator: SpecValidator, text: string): Problem[] {
  const lines = text.split('\n').filter((line) => line !== '');
  const problems: Problem[] = [];
  lines.forEach((line, i) => {
    const event = parseJson(line);
    const errors = event === undefined ? [] : validator.validateSchema(GENERATE_EVENT, event);
    if (event === undefined) problems.push({ kind: 'schema', message: `line ${i + 1} is not JSON: ${excerpt(line)}` });
    else if (errors.length) problems.push({ kind: 'schema', message: `line ${i + 1}: ${formatErrors(errors.slice(0, 5))}` });
  });
  const last = parseJson(lines.at(-1) ?? '') as { type?: string } | undefined;
  if (last?.type !== 'done' && last?.type !== 'error')
    problems.push({ kind: 'schema', message: `the stream ends with ${excerpt(lines.at(-1) ?? '(nothing)')}, not a done or error line` });
  return problems.slice(0, 5);
}

const REFUSED = new Set(REFUSED_URLS);

function refusedUrl(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  const found = nodes(body).find(
    (n) =>
      n.path.includes('connector') &&
      (n.path.at(-1) === 'url' || n.path.at(-1) === 'base_url') &&
      typeof n.value === 'string' &&
      REFUSED.has(n.value),
  );
  return found?.value as string | undefined;
}

function header(response: WireResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

export function excerpt(text: string, length = 200): string {
  const flat = JSON.stringify(text.length > length ? `${text.slice(0, length)}…` : text);
  return text.length > length ? `${flat} (${text.length} chars)` : flat;
}
