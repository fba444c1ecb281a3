/**
 * The main job until the reference server exists: the Prism mock of the bundled spec under `/v2`
 * (as the spec's local server `http://localhost:4010/v2`) and the docs page under `/docs`, on one port.
 */
import { createReadStream } from 'node:fs';
import { createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startPrism } from '@sims/testkit';

const port = Number(process.env.PORT ?? 4010);
const host = process.env.HOST ?? '127.0.0.1';
const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const files: Record<string, { path: string; type: string }> = {
  '/docs': { path: dist('docs/index.html'), type: 'text/html; charset=utf-8' },
  '/openapi.json': { path: dist('openapi.json'), type: 'application/json' },
  '/openapi.yaml': { path: dist('openapi.yaml'), type: 'application/yaml' },
};

const prism = await startPrism();
const upstream = new URL(prism.url);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://local');
  const file = files[url.pathname.replace(/\/$/, '')];
  if (url.pathname === '/') {
    res.writeHead(302, { Location: '/docs' }).end();
  } else if (file) {
    res.writeHead(200, { 'Content-Type': file.type });
    createReadStream(file.path).pipe(res);
  } else if (url.pathname.startsWith('/v2/')) {
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url!.slice('/v2'.length), headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  } else {
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'not found; the API is under /v2' }));
  }
});

server.listen(port, host, () => {
  console.log(`Simulations API mock: http://localhost:${port}/v2   (Prism; any bearer token is accepted)`);
  console.log(`API reference:        http://localhost:${port}/docs`);
  console.log(`Try: curl -H 'Authorization: Bearer test' http://localhost:${port}/v2/simulation_suites`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void prism.stop().then(() => process.exit(0));
  });
}
