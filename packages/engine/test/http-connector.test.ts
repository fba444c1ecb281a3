import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { checkOutboundUrl, refuseAddress, runSimulation, type Agent } from '../src/index.js';
import { lines, makeCase, sendJson, startServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const allow = { allowPrivateNetworks: true };
const webhookAgent = (url: string, extra: Partial<Extract<Agent['connector'], { kind: 'http' }>> = {}): Agent => ({
  id: 'agent-http',
  name: 'Webhook agent',
  prompt: 'unused by http agents',
  connector: { kind: 'http', url, ...extra },
});

describe('http connector: the turn protocol', () => {
  it('posts the conversation and custom variables, records tool calls and honours end_call', async () => {
    server = await startServer((request, response) => {
      const conversation = request.body.conversation as Array<{ role: string; content: string }>;
      if (conversation.length === 0) return sendJson(response, 200, { reply: 'Hello, Acme here.' });
      sendJson(response, 200, {
        reply: `You said: ${conversation.at(-1)!.content}`,
        end_call: true,
        tool_calls: [{ name: 'lookup_order', arguments: { order_id: '12345' } }],
        extra_field: 'ignored',
      });
    });
    const result = await runSimulation({
      case: makeCase({ caller_turns: ['Order {{order_id}} please'] }),
      agent: webhookAgent(`${server.url}/hook`, { headers: { authorization: 'Bearer secret' } }),
      customVariables: { order_id: '12345' },
      simulationId: 'sim-1',
      network: allow,
    });
    expect(result.error_info).toBeUndefined();
    expect(lines(result.timeline)).toEqual([
      'agent message: Hello, Acme here.',
      'persona message: Order 12345 please',
      'agent tool_call: lookup_order {"order_id":"12345"}',
      'agent message: You said: Order 12345 please',
      'agent end_call: The agent ended the call.',
    ]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.body).toEqual({
      simulation_id: 'sim-1',
      agent_id: 'agent-http',
      conversation: [
        { role: 'agent', content: 'Hello, Acme here.' },
        { role: 'persona', content: 'Order 12345 please' },
      ],
      custom_variables: { order_id: '12345' },
    });
    expect(server.requests[0]!.headers.authorization).toBe('Bearer secret');
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
    expect(server.requests[0]!.url).toBe('/hook');
  });

  it('adds the headers of `sign`, made once per request from its exact body, over the configured ones', async () => {
    server = await startServer((request, response) => {
      const conversation = request.body.conversation as unknown[];
      sendJson(response, 200, { reply: 'Hi', end_call: conversation.length >= 2 });
    });
    const signed: string[] = [];
    const result = await runSimulation({
      case: makeCase({ caller_turns: ['Hello'] }),
      agent: webhookAgent(`${server.url}/hook`, {
        headers: { 'webhook-id': 'configured', 'x-token': 't' },
        sign: (body) => {
          signed.push(body);
          return { 'webhook-id': `msg_${signed.length}`, 'webhook-signature': `v1,${createHash('sha256').update(body).digest('base64')}` };
        },
      }),
      network: allow,
    });
    expect(result.error_info).toBeUndefined();
    expect(server.requests).toHaveLength(2);
    expect(signed).toHaveLength(2);
    for (const [i, request] of server.requests.entries()) {
      expect(JSON.parse(signed[i]!)).toEqual(request.body);
      expect(request.headers['webhook-id']).toBe(`msg_${i + 1}`);
      expect(request.headers['webhook-signature']).toBe(`v1,${createHash('sha256').update(signed[i]!).digest('base64')}`);
      expect(request.headers['x-token']).toBe('t');
    }
  });

  it('fails with 424 agent_timeout when the webhook is too slow', async () => {
    server = await startServer(() => {
      // never answers
    });
    const result = await runSimulation({ case: makeCase(), agent: webhookAgent(server.url, { timeout_ms: 100 }), network: allow });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_timeout' });
    expect(result.error_info!.message).toContain('no answer within 100 ms');
  });

  it('fails with 424 agent_http_error on a 500', async () => {
    server = await startServer((_req, res) => sendJson(res, 500, { error: 'crashed' }));
    const result = await runSimulation({ case: makeCase(), agent: webhookAgent(server.url), network: allow });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_http_error' });
    expect(result.error_info!.message).toContain('HTTP 500');
  });

  it('does not follow redirects', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/' });
      res.end();
    });
    const result = await runSimulation({ case: makeCase(), agent: webhookAgent(server.url), network: allow });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_http_error' });
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['not JSON', 'this is not json', /not JSON/],
    ['a JSON array', [], /not a JSON object/],
    ['reply missing', { text: 'hi' }, /"reply" must be a string/],
    ['reply a number', { reply: 42 }, /"reply" must be a string/],
    ['empty reply without ending', { reply: '  ' }, /empty/],
    ['end_call not boolean', { reply: 'hi', end_call: 'yes' }, /"end_call" must be a boolean/],
    ['tool_calls not an array', { reply: 'hi', tool_calls: {} }, /"tool_calls" must be an array/],
    ['tool call without name', { reply: 'hi', tool_calls: [{ arguments: {} }] }, /tool_calls\[0\]\.name/],
    ['tool call arguments a string', { reply: 'hi', tool_calls: [{ name: 'x', arguments: 'a=1' }] }, /tool_calls\[0\]\.arguments/],
    ['reply too long', { reply: 'x'.repeat(10_001) }, /longer than 10000/],
  ])('rejects a malformed reply (%s) with 424 agent_malformed_reply', async (_label, body, message) => {
    server = await startServer((_req, res) => sendJson(res, 200, body));
    const result = await runSimulation({ case: makeCase(), agent: webhookAgent(server.url), network: allow });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_malformed_reply' });
    expect(result.error_info!.message).toMatch(message);
  });

  it('accepts an empty reply that ends the call', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, { reply: '', end_call: true }));
    const result = await runSimulation({ case: makeCase(), agent: webhookAgent(server.url), network: allow });
    expect(lines(result.timeline)).toEqual(['agent end_call: The agent ended the call.']);
  });

  it('fails with 424 agent_unreachable when nothing listens', async () => {
    server = await startServer(() => {});
    const url = server.url;
    await server.close();
    server = undefined;
    const result = await runSimulation({ case: makeCase(), agent: webhookAgent(url), network: allow });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_unreachable' });
  });
});

describe('http connector: outbound URL guard', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data', /metadata/],
    ['http://169.254.10.1/hook', /linkLocal/],
    ['http://[fe80::1]/hook', /linkLocal/],
    ['http://metadata.google.internal/computeMetadata/v1', /metadata host/],
    ['http://100.100.100.200/', /metadata/],
    ['http://[fd00:ec2::254]/', /metadata/],
    ['http://0.0.0.0:8080/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['ftp://example.com/hook', /scheme ftp:/],
    ['file:///etc/passwd', /scheme file:/],
    ['http://user:pass@example.com/', /credentials/],
    ['not a url', /not a valid URL/],
  ])('refuses %s even with private networks allowed', async (url, reason) => {
    expect(() => checkOutboundUrl(url, allow)).toThrow(reason);
    const result = await runSimulation({ case: makeCase(), agent: webhookAgent(url), network: allow });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_url_refused' });
  });

  it.each([
    'http://127.0.0.1:9/hook',
    'http://10.1.2.3/hook',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fc00::1]/',
  ])('refuses private or loopback %s unless allowPrivateNetworks', async (url) => {
    expect(() => checkOutboundUrl(url, {})).toThrow(/allowPrivateNetworks/);
    expect(() => checkOutboundUrl(url, allow)).not.toThrow();
  });

  it('refuses a host name that resolves to loopback when private networks are not allowed (checked at connect time)', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, { reply: 'hi', end_call: true }));
    const port = new URL(server.url).port;
    const refused = await runSimulation({ case: makeCase(), agent: webhookAgent(`http://localhost:${port}/`), network: {} });
    expect(refused.error_info).toMatchObject({ code: 424, type: 'agent_url_refused' });
    expect(refused.error_info!.message).toMatch(/localhost resolves to .* loopback/);
    expect(server.requests).toHaveLength(0);

    const allowed = await runSimulation({ case: makeCase(), agent: webhookAgent(`http://localhost:${port}/`), network: allow });
    expect(allowed.error_info).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it('refuses the local test server by IP when private networks are not allowed, without connecting', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, { reply: 'hi', end_call: true }));
    const result = await runSimulation({ case: makeCase(), agent: webhookAgent(server.url), network: {} });
    expect(result.error_info).toMatchObject({ code: 424, type: 'agent_url_refused' });
    expect(server.requests).toHaveLength(0);
  });

  it('classifies addresses', () => {
    expect(refuseAddress('93.184.216.34', {})).toBeNull();
    expect(refuseAddress('2606:2800:220:1:248:1893:25c8:1946', {})).toBeNull();
    expect(refuseAddress('169.254.169.254', allow)).toMatch(/metadata/);
    expect(refuseAddress('::ffff:169.254.169.254', allow)).toMatch(/metadata/);
    expect(refuseAddress('100.64.0.1', {})).toMatch(/carrierGradeNat/);
    expect(refuseAddress('100.64.0.1', allow)).toBeNull();
    expect(refuseAddress('2001:db8::1', allow)).toMatch(/reserved/);
    expect(refuseAddress('nonsense', allow)).toMatch(/not an IP address/);
  });
});
