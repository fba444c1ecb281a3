import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

/** Reads never read a body: whatever a GET carries, of any type or size, it answers as without one. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** A GET with a body (which `fetch` refuses to send), over one connection of its own. */
function getWithBody(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const sent = request(
      `${server.url}${path}`,
      {
        method: 'GET',
        agent: false,
        // Node sends a GET's body without framing unless told: the length, or chunked when asked for.
        headers: {
          authorization: `Bearer ${server.key}`,
          ...(headers['transfer-encoding'] ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode!, json: JSON.parse(text) }));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

describe('a GET with a body', () => {
  it('answers as without one: malformed JSON, another type, 2 MiB, chunked', async () => {
    const bodies: Array<[string, Record<string, string>]> = [
      ['{"broken', { 'content-type': 'application/json' }],
      ['hello', { 'content-type': 'text/plain; charset=utf-8' }],
      ['x'.repeat(2 * 1024 * 1024), { 'content-type': 'application/json' }],
      ['{"broken', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }],
    ];
    for (const [body, headers] of bodies) {
      const answer = await getWithBody('/agents?page_size=5', body, headers);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ status: 'ok', response: { items: expect.any(Array) } });
    }
    const missing = await getWithBody('/agents/nope', '{', { 'content-type': 'application/json' });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
  });
});
