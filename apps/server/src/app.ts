import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RateLimitConfig } from './config.js';
import type { Engine } from './engine/types.js';
import { createHandlers } from './handlers/index.js';
import { requestIds } from './http/request-ids.js';
import { bufferedStdout, requestLogController } from './http/request-log.js';
import { loadBundle } from '@sims/spec/runtime';
import { specOperations } from './http/spec.js';
import { TIMEOUT_DEFAULTS, transportOptions, type TimeoutConfig } from './http/transport.js';
import { Admission, authentication } from './plugins/auth.js';
import { docs } from './plugins/docs.js';
import { errorMapping, unroutable } from './plugins/errors.js';
import { jsonBody } from './plugins/json-body.js';
import { operations } from './plugins/operations.js';
import { requestIdHeader } from './plugins/request-id.js';
import { shutdown } from './plugins/shutdown.js';
import { web } from './plugins/web.js';
import type { Storage } from './storage/types.js';

export interface AppOptions {
  storage: Storage;
  engine: Engine;
  rateLimit: RateLimitConfig;
  bodyLimit?: number;
  /** Time-outs for slow clients; defaults to `TIMEOUT_DEFAULTS`. */
  timeouts?: TimeoutConfig;
  /** A pino level (`info`, `warn`, `silent`…); logs are JSON lines on stdout. */
  logLevel?: string;
  /** Where the JSON log lines go instead of stdout (the tests read them). */
  logStream?: { write(line: string): void };
  /** The bundled spec; defaults to `@sims/spec/openapi.json`. */
  spec?: Record<string, unknown>;
  /** The built web app served at `/`; defaults to `apps/web/dist` (`DEFAULT_WEB_ROOT`). */
  webRoot?: string;
}

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The HTTP application: one route per operation of the bundled spec under `/v2`, with request
 * schemas taken from the spec; bearer auth and a rate limit per key; the spec's error body for every
 * failure; idempotency for the operations that declare an `Idempotency-Key`. Each concern is a plugin
 * under `plugins/`, registered app-wide in the order its hooks must run.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { storage, engine } = options;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const spec = options.spec ?? loadBundle();
  const specOps = specOperations(spec);
  const handlers = createHandlers({ storage, engine, version: VERSION, startedAt: new Date().toISOString() });
  const ids = requestIds();
  const admission = new Admission(storage, options.rateLimit);

  const stdout = options.logStream ? undefined : bufferedStdout();
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', stream: options.logStream ?? stdout!.stream },
    logController: requestLogController(),
    bodyLimit,
    genReqId: ids.forRequest,
    requestIdHeader: false,
    ...transportOptions(options.timeouts ?? TIMEOUT_DEFAULTS, ids.next),
    frameworkErrors: unroutable(admission),
    // Requests already on an open connection when shutdown starts are served (with `Connection: close`)
    // rather than refused with Fastify's own 503 body, which is not the spec's error body.
    return503OnClosing: false,
  });

  if (stdout) app.addHook('onClose', async () => stdout.close());
  await app.register(requestIdHeader);
  await app.register(shutdown);
  await app.register(authentication, { admission });
  await app.register(errorMapping, { bodyLimit, headerNames: specOps.flatMap((op) => op.headerNames) });
  await app.register(jsonBody, { bodyLimit });
  await app.register(operations, { spec, operations: specOps, handlers, storage });
  await app.register(docs, { spec, health: handlers.getHealth });
  await app.register(web, options.webRoot === undefined ? {} : { root: options.webRoot });
  return app;
}
