import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, as it arrived. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers a request: a status (and body), or `drop` to close the connection without an answer. */
export type ReceiverAnswer = { status: number; body?: string; headers?: Record<string, string> } | 'drop' | 'hang';

/**
 * A webhook receiver on 127.0.0.1 for tests: records every request (headers and raw body) and
 * answers with `answer`, which the test can change at any time (down, then back).
 */
export async function startReceiver(answer: (request: ReceivedWebhook, index: number) => ReceiverAnswer = () => ({ status: 204 })) {
  const received: ReceivedWebhook[] = [];
  const state = { answer };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const got = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(got);
      const result = state.answer(got, received.length - 1);
      if (result === 'drop') {
        request.socket.destroy();
        return;
      }
      if (result === 'hang') return;
      response.writeHead(result.status, result.headers ?? {}).end(result.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** Changes how the next requests are answered. */
    answerWith(next: (request: ReceivedWebhook, index: number) => ReceiverAnswer) {
      state.answer = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Polls `check` until it holds (or gives up after `tries`), for what happens in the background. */
export async function until(check: () => boolean | Promise<boolean>, what: string, tries = 1_500, everyMs = 20): Promise<void> {
  for (let i = 0; i < tries; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`gave up waiting: ${what}`);
}
