import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { createWorkspace } from '../src/keys.js';
import { APP_ROUTE_PREFIXES, DEFAULT_WEB_ROOT } from '../src/plugins/web.js';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite/index.js';

/**
 * The server's side of the web app, on a stand-in build in a temporary folder (an index.html, a hashed
 * asset and a top-level file, as Vite lays them out): what is served where and with which caching,
 * without a key, and what stays the API's. The real build served to a real browser is the web app's
 * e2e suite (apps/web/test/e2e).
 */
const INDEX = '<!doctype html><html lang="en"><head><title>Test Center</title></head><body><div id="root"></div></body></html>';
const ASSET = 'console.log("app");';

async function fakeBuild(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'sims-web-dist-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), INDEX);
  await writeFile(join(root, 'assets', 'index-AbC123.js'), ASSET);
  await writeFile(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return root;
}

const apps: FastifyInstance[] = [];
const stores: SqliteStorage[] = [];
const folders: string[] = [];

async function start(webRoot: string) {
  const storage = openSqliteStorage(':memory:');
  stores.push(storage);
  const app = await buildApp({
    storage,
    engine: new QueueOnlyEngine(),
    rateLimit: { max: 0, windowMs: 60_000 },
    logLevel: 'silent',
    webRoot,
  });
  apps.push(app);
  const { minted } = await createWorkspace(storage, 'Web');
  return { app, key: minted.key };
}

afterAll(async () => {
  for (const app of apps) await app.close();
  for (const storage of stores) await storage.close();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('the web app served by the server', () => {
  let app: FastifyInstance;
  let key: string;
  beforeAll(async () => {
    const root = await fakeBuild();
    folders.push(root);
    ({ app, key } = await start(root));
  });

  it('answers / with the built index.html, revalidated on every load, without a key', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toBe(INDEX);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers.etag).toBeDefined();
    expect(response.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers every app route with index.html, so reloads and shared links open the page', async () => {
    const urls = [
      '/suites/abc',
      '/suites/abc/sessions',
      '/sign-in',
      '/agents',
      '/agents/new',
      '/cases/c1',
      '/sessions/s1',
      '/simulations/x?tab=1',
    ];
    expect(APP_ROUTE_PREFIXES).toEqual(['sign-in', 'agents', 'scenarios', 'suites', 'cases', 'sessions', 'simulations']);
    for (const url of urls) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(INDEX);
      expect(response.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable, and answers a missing one with the API 404', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe(ASSET);
    expect(asset.headers['content-type']).toContain('javascript');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const missing = await app.inject({ method: 'GET', url: '/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ status: 'error', error: { code: 'not_found' } });
    // A path out of the build folder is refused, not served.
    const outside = await app.inject({ method: 'GET', url: '/assets/..%2f..%2fetc%2fpasswd' });
    expect(outside.statusCode, outside.body).toBeGreaterThanOrEqual(400);
    expect(outside.statusCode).toBeLessThan(500);
    expect(outside.body).not.toContain('root:');
  });

  it('serves the top-level files of the build, revalidated', async () => {
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toContain('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('leaves the API, the docs, the spec and health as they were', async () => {
    const withoutKey = await app.inject({ method: 'GET', url: '/v2/agents' });
    expect(withoutKey.statusCode).toBe(401);
    expect(withoutKey.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const withKey = await app.inject({ method: 'GET', url: '/v2/agents', headers: { authorization: `Bearer ${key}` } });
    expect(withKey.statusCode).toBe(200);
    expect(withKey.json()).toMatchObject({ status: 'ok', response: { items: [] } });

    const unknownApi = await app.inject({ method: 'GET', url: '/v2/nothing-here' });
    expect(unknownApi.statusCode).not.toBe(200);
    expect(unknownApi.headers['content-type']).toContain('application/json');

    const docs = await app.inject({ method: 'GET', url: '/docs' });
    expect(docs.statusCode).not.toBe(404);
    expect(docs.body).not.toBe(INDEX);
    const spec = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(spec.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.body).not.toBe(INDEX);
  });

  it('does not answer other paths or methods with the page', async () => {
    const unknown = await app.inject({ method: 'GET', url: '/not-an-app-route' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'not_found' } });
    const post = await app.inject({ method: 'POST', url: '/suites/abc', payload: {} });
    expect(post.statusCode).toBe(404);
  });
});

describe('without a built web app', () => {
  it('keeps redirecting / to the docs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sims-web-empty-'));
    folders.push(root);
    const { app } = await start(root);
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/docs');
    expect((await app.inject({ method: 'GET', url: '/suites/abc' })).statusCode).toBe(404);
  });

  it('looks for the build in apps/web/dist by default', () => {
    expect(resolve(DEFAULT_WEB_ROOT)).toBe(fileURLToPath(new URL('../../web/dist', import.meta.url)));
  });
});
