import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TurnRequest {
  simulation_id?: string;
  agent_id: string;
  conversation: Array<{ role: 'agent' | 'persona'; content: string }>;
  custom_variables: Record<string, unknown>;
}

/** How the test agent answers a turn: a JSON reply, or raw status and body. */
export type TurnAnswer = { json: unknown } | { status: number; body: string };

/** A local agent behind the webhook turn protocol, answering with `answer` (which may wait). */
export async function startWebhookAgent(answer: (turn: TurnRequest, index: number) => TurnAnswer | Promise<TurnAnswer>) {
  const received: TurnRequest[] = [];
  /** Turns whose request the server closed before they were answered (a run stopped mid-turn). */
  const cutOff: TurnRequest[] = [];
  const headers: IncomingMessage['headers'][] = [];
  /** Each request's raw body, as its signature covers it. */
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      const turn = JSON.parse(text) as TurnRequest;
      received.push(turn);
      headers.push(request.headers);
      bodies.push(text);
      response.on('close', () => {
        if (!response.writableEnded) cutOff.push(turn);
      });
      Promise.resolve(answer(turn, received.length - 1)).then(
        (result) => {
          if ('json' in result) {
            response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result.json));
          } else {
            response.writeHead(result.status, { 'content-type': 'application/json' }).end(result.body);
          }
        },
        () => response.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/turn`,
    received,
    cutOff,
    headers,
    bodies,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A promise with its resolver, to hold a webhook answer until the test lets it go. */
export function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
