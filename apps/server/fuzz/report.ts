import { excerpt, PROBLEMS, type Problem, type ProblemKind } from './checks.js';
import type { RequestPlan } from './plan.js';
import type { WireRequest, WireResponse } from './wire.js';

/** One request that broke the contract, described well enough to send again by hand. */
interface Failure {
  index: number;
  operationId: string;
  shape: string;
  detail?: string;
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: string;
  status?: number;
  problems: Problem[];
  response?: string;
}

/**
 * Failures alike in request shape, status and problems, counted, with the operations they were seen
 * on and the first one.
 */
export interface FailureKind {
  shape: string;
  status: number | null;
  problems: ProblemKind[];
  count: number;
  operations: Record<string, number>;
  first: Failure;
}

export interface FuzzReport {
  seed: number;
  start: number;
  count: number;
  concurrency: number;
  ms: number;
  requests: number;
  byClass: Record<string, number>;
  byOperation: Record<string, Record<string, number>>;
  byShape: Record<string, Record<string, number>>;
  problems: Record<ProblemKind, number>;
  failedRequests: number;
  kinds: FailureKind[];
  failures: Failure[];
  slowest: Array<{ index: number; operationId: string; shape: string; status: number | null; ms: number }>;
  largest: Array<{ index: number; operationId: string; shape: string; status: number | null; bytes: number }>;
}

const SLOWEST = 5;

/** Gathers the figures of a run as its requests complete. */
export class ReportBuilder {
  private readonly report: FuzzReport;
  private readonly kinds = new Map<string, FailureKind>();
  private readonly started = performance.now();

  constructor(
    options: { seed: number; start: number; count: number; concurrency: number },
    private readonly keep: number,
  ) {
    this.report = {
      ...options,
      ms: 0,
      requests: 0,
      byClass: {},
      byOperation: {},
      byShape: {},
      problems: Object.fromEntries(PROBLEMS.map((p) => [p, 0])) as Record<ProblemKind, number>,
      failedRequests: 0,
      kinds: [],
      failures: [],
      slowest: [],
      largest: [],
    };
  }

  record(index: number, plan: RequestPlan, wire: WireRequest, response: WireResponse | undefined, problems: Problem[]): void {
    const r = this.report;
    r.requests += 1;
    const status = response?.status ?? null;
    const statusClass = status === null ? 'none' : `${Math.floor(status / 100)}xx`;
    r.byClass[statusClass] = (r.byClass[statusClass] ?? 0) + 1;
    const perOp = r.byOperation[plan.operationId] ?? {};
    r.byOperation[plan.operationId] = perOp;
    perOp[String(status ?? 'none')] = (perOp[String(status ?? 'none')] ?? 0) + 1;
    const perShape = r.byShape[plan.shape] ?? {};
    r.byShape[plan.shape] = perShape;
    perShape[String(status ?? 'none')] = (perShape[String(status ?? 'none')] ?? 0) + 1;
    if (response) {
      r.slowest.push({ index, operationId: plan.operationId, shape: plan.shape, status, ms: Math.round(response.ms) });
      r.slowest.sort((a, b) => b.ms - a.ms).splice(SLOWEST);
      r.largest.push({ index, operationId: plan.operationId, shape: plan.shape, status, bytes: response.body.length });
      r.largest.sort((a, b) => b.bytes - a.bytes).splice(SLOWEST);
    }
    if (!problems.length) return;
    r.failedRequests += 1;
    const failure: Failure = {
      index,
      operationId: plan.operationId,
      shape: plan.shape,
      ...(plan.detail ? { detail: plan.detail } : {}),
      method: wire.method,
      target: wire.target,
      headers: shownHeaders(wire.headers),
      ...(wire.body !== undefined ? { body: excerpt(wire.body, 300) } : {}),
      ...(status !== null ? { status } : {}),
      problems,
      ...(response ? { response: excerpt(response.body.toString('utf8'), 300) } : {}),
    };
    if (r.failures.length < this.keep) r.failures.push(failure);
    const kinds = [...new Set(problems.map((p) => p.kind))];
    for (const problem of kinds) r.problems[problem] += 1;
    const key = `${plan.shape}\u0000${status}\u0000${kinds.join('+')}`;
    const kind = this.kinds.get(key) ?? { shape: plan.shape, status, problems: kinds, count: 0, operations: {}, first: failure };
    kind.count += 1;
    kind.operations[plan.operationId] = (kind.operations[plan.operationId] ?? 0) + 1;
    this.kinds.set(key, kind);
  }

  finish(): FuzzReport {
    this.report.ms = Math.round(performance.now() - this.started);
    this.report.kinds = [...this.kinds.values()].sort((a, b) => b.count - a.count);
    return this.report;
  }
}

/** Headers as sent, with API keys shortened (they are throw-away, but long). */
function shownHeaders(headers: Record<string, string>): Record<string, string> {
  const shown = { ...headers };
  if (shown.Authorization) shown.Authorization = shown.Authorization.replace(/sk_[A-Za-z0-9_-]{8,}/g, (k) => `${k.slice(0, 9)}…`);
  for (const [name, value] of Object.entries(shown)) if (value.length > 80) shown[name] = `${value.slice(0, 80)}… (${value.length} chars)`;
  return shown;
}

export const failed = (report: FuzzReport) => report.failedRequests > 0;

/** The figures and the first failures, for people. */
export function formatReport(report: FuzzReport, options: { kinds?: number; failures?: number } = {}): string {
  const p = report.problems;
  const lines = [
    `fuzz: seed ${report.seed}, requests ${report.start}–${report.start + report.count - 1} (${report.requests} sent), concurrency ${report.concurrency}, ${(report.ms / 1000).toFixed(1)} s`,
    `statuses: ${Object.entries(report.byClass)
      .sort()
      .map(([c, n]) => `${c} ${n}`)
      .join(' · ')}`,
    `5xx: ${p['5xx']} · undeclared statuses: ${p['undeclared-status']} · schema violations: ${p.schema} · error-shape violations: ${p['error-shape']}` +
      ` · X-Request-Id problems: ${p['request-id-header']} · content-type problems: ${p['content-type']} · URL guard misses: ${p['url-guard']}` +
      ` · no response: ${p['no-response']}`,
    `requests with a failure: ${report.failedRequests}`,
    '',
    'per operation (status: count):',
    ...Object.entries(report.byOperation)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([op, statuses]) =>
          `  ${op.padEnd(28)} ${Object.entries(statuses)
            .map(([s, n]) => `${s}:${n}`)
            .join(' ')}`,
      ),
    '',
    'per request shape (status: count):',
    ...Object.entries(report.byShape)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([shape, statuses]) =>
          `  ${shape.padEnd(28)} ${Object.entries(statuses)
            .map(([s, n]) => `${s}:${n}`)
            .join(' ')}`,
      ),
    '',
    `slowest: ${report.slowest.map((s) => `#${s.index} ${s.operationId} ${s.shape} → ${s.status} in ${s.ms} ms`).join('; ')}`,
    `largest answers: ${report.largest.map((s) => `#${s.index} ${s.operationId} ${s.shape} → ${s.status}, ${s.bytes} bytes`).join('; ')}`,
  ];
  if (report.kinds.length) {
    lines.push('', `failure kinds (${report.kinds.length}), most frequent first:`);
    for (const kind of report.kinds.slice(0, options.kinds ?? 40)) {
      const messages = kind.first.problems.map((pr) => pr.message).join('; ');
      const ops = Object.entries(kind.operations)
        .sort(([, a], [, b]) => b - a)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ');
      lines.push(
        `  ${String(kind.count).padStart(5)} × ${kind.shape} → ${kind.status ?? 'no answer'} [${kind.problems.join(', ')}] on ${ops}`,
      );
      lines.push(`          e.g. #${kind.first.index} ${kind.first.method} ${kind.first.target.slice(0, 120)}: ${messages.slice(0, 240)}`);
    }
  }
  if (report.failures.length) {
    lines.push('', `first ${Math.min(report.failures.length, options.failures ?? 20)} failures:`);
    for (const f of report.failures.slice(0, options.failures ?? 20)) lines.push(...formatFailure(f, report.seed));
  }
  return lines.join('\n');
}

function formatFailure(f: Failure, seed: number): string[] {
  return [
    `  #${f.index} ${f.operationId} [${f.shape}${f.detail ? ` ${f.detail}` : ''}]`,
    `    ${f.method} ${f.target.length > 300 ? `${f.target.slice(0, 300)}… (${f.target.length} chars)` : f.target}`,
    `    headers ${JSON.stringify(f.headers)}`,
    ...(f.body !== undefined ? [`    body ${f.body}`] : []),
    `    → ${f.status ?? 'no answer'}: ${f.problems.map((p) => `[${p.kind}] ${p.message}`).join('; ')}`,
    ...(f.response !== undefined ? [`    response ${f.response}`] : []),
    `    again: pnpm fuzz -- --seed ${seed} --start ${f.index} --count 1`,
  ];
}
