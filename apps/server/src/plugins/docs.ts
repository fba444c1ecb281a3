import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../http/errors.js';
import { sendResult } from '../http/results.js';
import type { Handler } from '../http/types.js';
import { appWide } from './app-wide.js';

const require = createRequire(import.meta.url);

/** The docs page built by `pnpm docs`, if it has been built. */
function readDocs(): string | undefined {
  try {
    return readFileSync(require.resolve('@sims/spec/docs.html'), 'utf8');
  } catch {
    return undefined;
  }
}

export interface DocsOptions {
  spec: object;
  health: Handler<'getHealth'>;
}

/** What answers at the root without a key: the docs page, the spec, and the health check (`/` is the web plugin's). */
export const docs: FastifyPluginAsync<DocsOptions> = appWide('docs', async (app, { spec, health }) => {
  const page = readDocs();
  app.get('/docs', { config: { secured: false } }, async (_request, reply) => {
    if (!page) throw new ApiError('not_found', 'The docs page has not been built; run `pnpm docs`.');
    return reply.type('text/html; charset=utf-8').send(page);
  });
  app.get('/openapi.json', { config: { secured: false } }, async (_request, reply) => reply.type('application/json').send(spec));
  app.get('/health', { config: { secured: false } }, async (_request, reply) =>
    sendResult(reply, await health({ workspace_id: '', body: undefined, query: {}, params: {}, signal: new AbortController().signal })),
  );
});
