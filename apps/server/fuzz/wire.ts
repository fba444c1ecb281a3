import { request as httpRequest, Agent } from 'node:http';
import { IdRef, kindOfField, type IdPool } from './ids.js';
import { SPLICE } from './heavy.js';
import type { Auth, RequestPlan, WireValue } from './plan.js';
import type { FuzzOperation } from './spec-model.js';

/** A request as it goes on the wire. */
export interface WireRequest {
  method: string;
  /** Path and query, starting with `/v2`. */
  target: string;
  headers: Record<string, string>;
  body?: string;
  /** The path parameters as sent, decoded. */
  pathIds: Record<string, string>;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

export interface Keys {
  main: string;
  foreign: string;
}

const MALFORMED_AUTH = (key: string) => [
  'Bearer',
  'Bearer ',
  'Basic dXNlcjpwYXNz',
  `Token ${key}`,
  key,
  `Bearer ${key} extra`,
  `Bearer ${key},${key}`,
  'Bearer sk_',
  'Bearer \u00ff',
];

function authorization(auth: Auth, keys: Keys): string | undefined {
  switch (auth.mode) {
    case 'valid':
      return `Bearer ${keys.main}`;
    case 'foreign':
      return `Bearer ${keys.foreign}`;
    case 'missing':
      return undefined;
    case 'unknown':
      return `Bearer sk_${String(auth.variant).padStart(43, 'A')}`;
    case 'malformed': {
      const forms = MALFORMED_AUTH(keys.main);
      return forms[auth.variant % forms.length];
    }
  }
}

/** Resolves the plan's ids against the pool as it is now and writes the request. */
export function materialize(plan: RequestPlan, op: FuzzOperation, pool: IdPool, keys: Keys): WireRequest {
  const suiteParam = op.parameters.find((p) => p.in === 'path' && kindOfField(p.name) === 'suite');
  const resolved: Record<string, string> = {};
  const wire = (value: WireValue, encode: boolean): string => {
    if (value instanceof IdRef) return encodeURIComponent(pool.resolve(value, suiteParam ? resolved[suiteParam.name] : undefined));
    if (typeof value === 'string') return encode ? encodeURIComponent(value) : value;
    return value.raw;
  };
  // The suite first: an agent reference of scope `suite-agent` is that suite's agent.
  const encoded: Record<string, string> = {};
  const names = Object.keys(plan.path);
  for (const name of [...names.filter((n) => n === suiteParam?.name), ...names.filter((n) => n !== suiteParam?.name)]) {
    encoded[name] = wire(plan.path[name]!, true);
    resolved[name] = decodeSafely(encoded[name]);
  }
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encoded[name] ?? '');
  const query = plan.query.map(([name, value]) => `${encodeURIComponent(name)}=${wire(value, true)}`).join('&');
  const headers: Record<string, string> = { ...plan.headers };
  const auth = authorization(plan.auth, keys);
  if (auth !== undefined) headers.Authorization = auth;
  let body: string | undefined;
  if (plan.body.kind === 'json') {
    const suite = suiteParam ? resolved[suiteParam.name] : undefined;
    body =
      JSON.stringify(plan.body.value, (_key, value: unknown) => {
        if (value instanceof IdRef) return pool.resolve(value, suite);
        // Distinct references can name one record (a small pool): lists of ids stay free of repeats,
        // as `uniqueItems` asks of every id list in the spec.
        if (Array.isArray(value) && value.length && value.every((v) => v instanceof IdRef))
          return [...new Set(value.map((v: IdRef) => pool.resolve(v, suite)))];
        return value;
      }) ?? 'null';
    if (plan.body.splice !== undefined) body = body.replace(`"${SPLICE}"`, () => (plan.body.kind === 'json' ? plan.body.splice! : ''));
  } else if (plan.body.kind === 'text') {
    body = plan.body.text;
  }
  if (body !== undefined && plan.contentType === undefined) headers['Content-Type'] = 'application/json';
  if (typeof plan.contentType === 'string') headers['Content-Type'] = plan.contentType;
  return {
    method: op.method.toUpperCase(),
    target: `/v2${path}${query ? `?${query}` : ''}`,
    headers,
    ...(body !== undefined ? { body } : {}),
    pathIds: resolved,
  };
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Sends requests over real HTTP with keep-alive, at most `sockets` at once. */
export class WireClient {
  private readonly agent: Agent;

  constructor(
    private readonly origin: URL,
    sockets: number,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  async send(wire: WireRequest): Promise<WireResponse> {
    try {
      return await this.once(wire);
    } catch (error) {
      // A kept-alive socket the server closed as it was reused (after an answer with `Connection:
      // close`): the request never reached the server, so it is sent again, as Node's docs advise.
      if ((error as { reusedSocket?: boolean }).reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET')
        return this.once(wire);
      throw error;
    }
  }

  private once(wire: WireRequest): Promise<WireResponse> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...wire.headers };
      if (wire.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(wire.body));
      const req = httpRequest(
        {
          host: this.origin.hostname,
          port: this.origin.port,
          method: wire.method,
          path: wire.target,
          headers,
          agent: this.agent,
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
      req.end(wire.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
