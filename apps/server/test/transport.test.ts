import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueOnlyEngine } from '../src/engine/queue-only.js';
import { apiClient, raw, seed, startTestServer, type TestServer } from './support/server.js';

/** Issue 9, items 6 (slow clients are cut) and 7 (framework errors answer the spec's error body). */
let server: TestServer;
let port: number;
let ids: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  server = await startTestServer({
    engine: () => new QueueOnlyEngine(),
    timeouts: { requestMs: 1_500, headersMs: 800, keepAliveMs: 1_000 },
  });
  port = Number(new URL(server.origin).port);
  ids = await seed(apiClient(server.url, server.key), 1);
});
afterAll(() => server.stop());

interface Exchange {
  /** Everything the server wrote before it closed the connection. */
  text: string;
  /** Bytes of the request the client managed to send before the server closed. */
  sent: number;
}

/** Sends `head`, then one byte of `trickle` every `everyMs` until the server closes the connection. */
function trickle(head: string, trickleBytes: string, everyMs: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let text = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server never closed the connection; got: ${text}`));
    }, 20_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ text, sent });
    });
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent >= trickleBytes.length || socket.destroyed) return;
        socket.write(trickleBytes[sent]!);
        sent += 1;
      }, everyMs);
    });
  });
}

function parse(exchange: Exchange) {
  const [head = '', body = ''] = exchange.text.split('\r\n\r\n');
  const status = Number(head.split(' ')[1]);
  const requestId = /x-request-id: *(\S+)/i.exec(head)?.[1];
  return { status, requestId, json: JSON.parse(body) as { status: string; error: { code: string; request_id: string } } };
}

describe('slow clients are cut off (item 6)', () => {
  it('a body trickled a byte at a time is answered 408 with the error body, and the connection closed', async () => {
    const body = JSON.stringify({ name: 'Slow', description: 'x'.repeat(200) });
    const exchange = await trickle(
      `POST /v2/simulation_scenarios HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.key}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
      100,
    );
    expect(exchange.sent).toBeLessThan(body.length);
    const answer = parse(exchange);
    expect(answer.status).toBe(408);
    expect(answer.json.status).toBe('error');
    expect(answer.json.error.code).toBe('request_timeout');
    expect(answer.json.error.request_id).toBe(answer.requestId);
  });

  it('headers trickled without a key are cut off too', async () => {
    const header = `X-Filler: ${'a'.repeat(200)}\r\n\r\n`;
    const exchange = await trickle('GET /v2/agents HTTP/1.1\r\nHost: x\r\n', header, 100);
    expect(exchange.sent).toBeLessThan(header.length);
    const answer = parse(exchange);
    expect(answer.status).toBe(408);
    expect(answer.json.error.code).toBe('request_timeout');
  });

  it('an idle keep-alive connection is closed, and the server keeps answering', async () => {
    const exchange = await trickle('GET /health HTTP/1.1\r\nHost: x\r\n\r\n', '', 100);
    expect(exchange.text).toMatch(/^HTTP\/1\.1 200/);
    expect((await raw(`${server.url}/health`)).status).toBe(200);
  });

  it('bytes that are not HTTP answer 400 with the error body', async () => {
    const answer = parse(await trickle('NOT HTTP AT ALL\r\n\r\n', '', 100));
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe('bad_request');
    expect(answer.json.error.request_id).toBe(answer.requestId);
  });
});

describe("paths the router cannot take answer the spec's 404 (item 7)", () => {
  const expectNotFound = (result: Awaited<ReturnType<typeof raw>>) => {
    expect(result.status).toBe(404);
    expect(result.json.status).toBe('error');
    expect(result.json.error.code).toBe('not_found');
    expect(result.json.error.request_id).toBe(result.response.headers.get('x-request-id'));
  };

  it('malformed percent-encoding in an id', async () => {
    expectNotFound(await raw(`${server.url}/agents/%ZZ`, { key: server.key }));
    expectNotFound(await raw(`${server.url}/simulation_suites/%E0%A4%A/execute?target_agent_id=x`, { method: 'POST', key: server.key }));
  });

  it('an id longer than any id, up to the header limit', async () => {
    expectNotFound(await raw(`${server.url}/agents/${'a'.repeat(101)}`, { key: server.key }));
    expectNotFound(await raw(`${server.url}/simulation_cases/${'b'.repeat(5_000)}`, { method: 'DELETE', key: server.key }));
  });

  it('an empty id', async () => {
    expectNotFound(await raw(`${server.url}/agents/`, { key: server.key }));
    expectNotFound(await raw(`${server.url}/simulation_suites/`, { method: 'PUT', key: server.key, body: '{}' }));
  });

  it('still needs a key first, and counts against the rate limit like any request', async () => {
    const result = await raw(`${server.url}/agents/%ZZ`);
    expect(result.status).toBe(401);
    expect(result.json.error.code).toBe('unauthorized');
    expect(result.json.error.request_id).toBe(result.response.headers.get('x-request-id'));
  });
});

describe('operations without a body ignore one (item 7)', () => {
  it('DELETE with malformed JSON, a wrong type or 2 MiB deletes as without a body', async () => {
    const client = apiClient(server.url, server.key);
    const scenarios = await Promise.all(
      [1, 2, 3].map(
        async (n) =>
          (await client.POST('/simulation_scenarios', { body: { name: `Doomed ${n}`, description: 'To delete.' } })).data!.response.id,
      ),
    );
    const bodies: Array<[string, string]> = [
      ['{"broken', 'application/json'],
      ['hello', 'text/plain; charset=utf-8'],
      ['x'.repeat(2 * 1024 * 1024), 'application/json'],
    ];
    for (const [i, [body, type]] of bodies.entries()) {
      const result = await raw(`${server.url}/simulation_scenarios/${scenarios[i]}`, {
        method: 'DELETE',
        key: server.key,
        body,
        headers: { 'Content-Type': type },
      });
      expect(result.status).toBe(204);
    }
    expect((await raw(`${server.url}/simulation_scenarios/${scenarios[0]}`, { key: server.key })).status).toBe(404);
    const unknown = await raw(`${server.url}/agents/nope`, {
      method: 'DELETE',
      key: server.key,
      body: '{',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(unknown.status).toBe(404);
  });

  it('execute (a POST without a body) answers as without one when sent 2 MiB of garbage', async () => {
    const result = await raw(`${server.url}/simulation_suites/${ids.suiteId}/execute?target_agent_id=${ids.agentId}`, {
      method: 'POST',
      key: server.key,
      body: `{${'x'.repeat(2 * 1024 * 1024)}`,
    });
    expect(result.status).toBe(200);
    expect(result.json.status).toBe('started');
  });
});
