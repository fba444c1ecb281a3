import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { appWide } from './app-wide.js';

/**
 * Where `pnpm --filter @sims/web build` writes the Test Center: `apps/web/dist`, found from this file
 * (`apps/server/src/plugins` under tsx, `apps/server/dist/plugins` when built: the same depth). A
 * relative path rather than resolving `@sims/web`: the server must not depend on the web app, which
 * itself depends on the server for its end-to-end tests.
 */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Whether a built web app is at `root`. */
export function webAppBuilt(root: string = DEFAULT_WEB_ROOT): boolean {
  return existsSync(join(root, 'index.html'));
}

/** The first path segments of the web app's routes: a GET of any of them (or below) answers index.html. */
export const APP_ROUTE_PREFIXES = ['sign-in', 'agents', 'scenarios', 'suites', 'cases', 'sessions', 'simulations'] as const;

/** Vite names every file under assets/ by its content hash, so a name never changes meaning. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always revalidated (its ETag makes that cheap). */
const REVALIDATE = 'no-cache';

/**
 * The page may load only its own scripts and styles and talk only to its own origin (the API is on
 * the same origin, so no CORS); inline style attributes stay allowed for the chart library.
 */
const PAGE_HEADERS = {
  'cache-control': REVALIDATE,
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

export interface WebOptions {
  /** The built web app's folder; `DEFAULT_WEB_ROOT` unless a test gives another. */
  root?: string;
}

/**
 * Serves the Test Center at `/` without a key, like the docs (the page asks for the key itself and
 * sends it only to `/v2`): hashed assets cached for good, index.html for every app route so that a
 * reload or a shared link opens the right page, and the API, docs, spec and health untouched. When the
 * web app has not been built, `/` redirects to the docs as before.
 */
export const web: FastifyPluginAsync<WebOptions> = appWide('web', async (app, options) => {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  const unsecured = { config: { secured: false } };
  if (!webAppBuilt(root)) {
    app.get('/', unsecured, async (_request, reply) => reply.redirect('/docs'));
    return;
  }

  // Only `reply.sendFile` (safe against `..`, with ETag and Last-Modified): the routes are ours, so that no
  // wildcard at the root swallows requests meant for the API's own 404 and 401 answers.
  await app.register(fastifyStatic, { root, serve: false, cacheControl: false, index: false, dotfiles: 'ignore' });

  const page = (_request: unknown, reply: FastifyReply) => reply.headers(PAGE_HEADERS).sendFile('index.html');
  app.get('/', unsecured, page);
  for (const prefix of APP_ROUTE_PREFIXES) {
    app.get(`/${prefix}`, unsecured, page);
    app.get(`/${prefix}/*`, unsecured, page);
  }

  app.get<{ Params: { '*': string } }>('/assets/*', unsecured, (request, reply) =>
    reply.header('cache-control', IMMUTABLE).header('x-content-type-options', 'nosniff').sendFile(`assets/${request.params['*']}`),
  );

  // Files Vite copies from public/ to the top level (icons and the like): unhashed, so revalidated.
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'index.html' || entry.name.startsWith('.')) continue;
    app.get(`/${entry.name}`, unsecured, (_request, reply) =>
      reply.header('cache-control', REVALIDATE).header('x-content-type-options', 'nosniff').sendFile(entry.name),
    );
  }
});
