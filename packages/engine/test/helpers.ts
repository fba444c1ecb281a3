import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent, CaseSnapshot, TimelineItem } from '../src/index.js';
import { SHOP_SUPPORT_PROMPT } from '../src/index.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A local HTTP server on a free port; the handler gets the parsed JSON body. */
export async function startServer(
  handler: (request: RecordedRequest, response: ServerResponse) => void | Promise<void>,
): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // keep the raw text
      }
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      void handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(text);
}

/** An OpenAI-protocol server answering each chat completion with the next scripted content. */
export async function startOpenAiServer(replies: Array<string | ((body: any) => string)>): Promise<TestServer> {
  let index = 0;
  return startServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') return sendJson(response, 404, { error: 'not found' });
    const reply = replies[Math.min(index, replies.length - 1)];
    index += 1;
    const content = typeof reply === 'function' ? reply(request.body) : reply;
    sendJson(response, 200, {
      id: `chatcmpl-${index}`,
      object: 'chat.completion',
      model: request.body?.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    });
  });
}

export const shopAgent: Agent = {
  id: 'agent-1',
  name: 'Nora',
  prompt: SHOP_SUPPORT_PROMPT,
  connector: { kind: 'builtin', builtin: 'shop_support' },
};

export function makeCase(overrides: Partial<CaseSnapshot> = {}): CaseSnapshot {
  return {
    name: 'test case',
    prompt: 'You are Dana. You want to know the opening hours.',
    success_criteria: [],
    call_success_type: 'all',
    ...overrides,
  };
}

/** A fixed clock that advances 250 ms per reading. */
export function steppingClock(start = Date.UTC(2025, 0, 1)): () => number {
  let t = start - 250;
  return () => (t += 250);
}

export function lines(timeline: TimelineItem[]): string[] {
  return timeline.map((e) => `${e.sender_type} ${e.type}: ${e.value}`);
}
