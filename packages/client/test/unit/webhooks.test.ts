import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError, type WebhookEvent } from '../../src/index.js';
import { fakeFetch, ok, testClient } from './helpers.js';

// Each request is signed with the library itself (what the server uses), then verified.

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

const completed = {
  type: 'session.completed',
  timestamp: '2026-11-20T09:24:00Z',
  data: {
    simulation_session_id: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
    suite_id: '3c1f8a2e-5d4b-4e7a-9c6f-1a2b3c4d5e6f',
    target_agent_id: '6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
    workspace_id: '5b8e0c2a-7f41-4d6e-9a3b-2c1d0e9f8a76',
    total_simulations: 2,
    completed_simulations: 2,
    failed_simulations: 0,
    pending_simulations: 0,
    passed_simulations: 1,
    pass_rate: 0.5,
    cancelled_at: null,
  },
} satisfies WebhookEvent;

/** The three Standard Webhooks headers of `body`, signed at `at` with each secret (several after a rotation). */
function signed(body: string, secrets: string[], at = new Date(), id = 'msg_0123456789abcdef0123456789abcdef') {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' '),
  };
}

function refusal(verify: () => unknown): WebhookVerificationError {
  try {
    verify();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  }
  throw new Error('verifyWebhook accepted the request');
}

describe('verifyWebhook', () => {
  const secret = newSecret();
  const body = JSON.stringify(completed);

  it('answers the event of a correctly signed body, from a plain object or a fetch Headers', () => {
    const headers = signed(body, [secret]);
    expect(verifyWebhook(body, headers, secret)).toEqual(completed);
    expect(verifyWebhook(body, new Headers(headers), secret)).toEqual(completed);
  });

  it('reads headers whatever their case, as Node gives them or as a proxy rewrote them', () => {
    const headers = signed(body, [secret]);
    const upper = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect(verifyWebhook(body, { ...upper, host: undefined, 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] }, secret)).toEqual(completed);
  });

  it('refuses a body changed after signing, even by whitespace (the signature is over the raw body)', () => {
    const headers = signed(body, [secret]);
    const tampered = body.replace('"passed_simulations":1', '"passed_simulations":2');
    expect(tampered).not.toBe(body);
    expect(refusal(() => verifyWebhook(tampered, headers, secret))).toMatchObject({ reason: 'invalid_signature' });
    const reformatted = JSON.stringify(completed, null, 2);
    expect(refusal(() => verifyWebhook(reformatted, headers, secret))).toMatchObject({ reason: 'invalid_signature' });
  });

  it('refuses another secret, and another webhook-id under the same signature', () => {
    const headers = signed(body, [secret]);
    const wrong = refusal(() => verifyWebhook(body, headers, newSecret()));
    expect(wrong.reason).toBe('invalid_signature');
    expect(wrong.message).toBe('webhook refused: No matching signature found');
    expect(wrong.cause).toBeInstanceOf(Error);
    expect(refusal(() => verifyWebhook(body, { ...headers, 'webhook-id': 'msg_ffffffffffffffffffffffffffffffff' }, secret)).reason).toBe(
      'invalid_signature',
    );
  });

  it('refuses a timestamp more than five minutes old or ahead, and accepts one within', () => {
    const now = Date.now();
    const old = signed(body, [secret], new Date(now - 6 * 60_000));
    expect(refusal(() => verifyWebhook(body, old, secret)).reason).toBe('timestamp_too_old');
    const ahead = signed(body, [secret], new Date(now + 6 * 60_000));
    expect(refusal(() => verifyWebhook(body, ahead, secret)).reason).toBe('timestamp_too_new');
    // A retry signs again, so a delivery retried hours later is still within the window.
    expect(verifyWebhook(body, signed(body, [secret], new Date(now - 4 * 60_000)), secret)).toEqual(completed);
    // A timestamp that was changed, with the signature of the original, is a bad signature.
    const moved = { ...signed(body, [secret], new Date(now - 60_000)), 'webhook-timestamp': String(Math.floor(now / 1000)) };
    expect(refusal(() => verifyWebhook(body, moved, secret)).reason).toBe('invalid_signature');
  });

  it('refuses missing or malformed headers', () => {
    const headers = signed(body, [secret]);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = headers;
      expect(refusal(() => verifyWebhook(body, rest, secret)).reason).toBe('missing_headers');
    }
    expect(refusal(() => verifyWebhook(body, { ...headers, 'webhook-timestamp': 'yesterday' }, secret)).reason).toBe('invalid_timestamp');
    expect(refusal(() => verifyWebhook(body, { ...headers, 'webhook-signature': 'v2,abc' }, secret)).reason).toBe('invalid_signature');
  });

  it('after a rotation, accepts the two signatures with either secret, and refuses a third', () => {
    const previous = secret;
    const next = newSecret();
    const headers = signed(body, [next, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook(body, headers, previous)).toEqual(completed);
    expect(verifyWebhook(body, headers, next)).toEqual(completed);
    expect(refusal(() => verifyWebhook(body, headers, newSecret())).reason).toBe('invalid_signature');
  });

  it('takes the secret with or without its whsec_ prefix, and calls another value a set-up error (TypeError)', () => {
    const headers = signed(body, [secret]);
    expect(verifyWebhook(body, headers, secret.slice('whsec_'.length))).toEqual(completed);
    expect(() => verifyWebhook(body, headers, '')).toThrow(TypeError);
    expect(() => verifyWebhook(body, headers, 'whsec_not base64!')).toThrow(TypeError);
  });

  it('refuses a correctly signed body that is not an event, keeping the parsed body', () => {
    const cases: Array<[string, unknown]> = [
      ['not json', undefined],
      ['', undefined],
      ['[]', []],
      [JSON.stringify({ type: 'session.completed', timestamp: '2026-11-20T09:24:00Z' }), { type: 'session.completed' }],
      [JSON.stringify({ ...completed, timestamp: 1 }), { timestamp: 1 }],
      [JSON.stringify({ ...completed, data: { ...completed.data, simulation_session_id: undefined } }), { type: 'session.completed' }],
      // A simulation event must name its simulation, not a session.
      [JSON.stringify({ ...completed, type: 'simulation.completed' }), { type: 'simulation.completed' }],
    ];
    for (const [text, payload] of cases) {
      const error = refusal(() => verifyWebhook(text, signed(text, [secret]), secret));
      expect(error.reason, text).toBe('invalid_payload');
      if (payload === undefined) expect(error.payload).toBeUndefined();
      else expect(error.payload).toMatchObject(payload as object);
    }
  });

  it('tells an event type newer than this client from a bad body: verified, with the payload to acknowledge', () => {
    const text = JSON.stringify({ type: 'suite.deleted', timestamp: '2026-11-20T09:24:00Z', data: { suite_id: 's' } });
    const error = refusal(() => verifyWebhook(text, signed(text, [secret]), secret));
    expect(error.reason).toBe('unknown_event_type');
    expect(error.payload).toMatchObject({ type: 'suite.deleted' });
    // Signed with another secret, the same body is a bad signature first: nothing is read before the signature holds.
    expect(refusal(() => verifyWebhook(text, signed(text, [newSecret()]), secret)).reason).toBe('invalid_signature');
  });

  it('answers each event of the spec, narrowed by type', () => {
    const simulation = {
      type: 'simulation.failed',
      timestamp: '2026-11-20T09:21:04Z',
      data: {
        simulation_id: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
        simulation_session_id: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
        simulation_case_id: '9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d',
        simulation_case_name: null,
        target_agent_id: 'a',
        workspace_id: 'w',
        status: 'failed',
        success: null,
        iteration: 1,
        error_info: null,
        finished_at: '2026-11-20T09:21:04Z',
      },
    } satisfies WebhookEvent;
    const outcomes: string[] = [];
    for (const event of [simulation, completed, { ...completed, type: 'session.cancelled' as const }]) {
      const text = JSON.stringify(event);
      const verified = verifyWebhook(text, signed(text, [secret]), secret);
      if (verified.type === 'simulation.failed' || verified.type === 'simulation.completed') outcomes.push(verified.data.simulation_id);
      else outcomes.push(`${verified.type} ${verified.data.pass_rate}`);
    }
    expect(outcomes).toEqual([simulation.data.simulation_id, 'session.completed 0.5', 'session.cancelled 0.5']);
  });
});

describe('paginate on a list under a record', () => {
  it('fills the path parameters of every page, and refuses a path left with a placeholder', async () => {
    const { fetch, sent } = fakeFetch(() => ok({ items: [{ id: 'd1' }], total: 1, page_number: 1, page_size: 100 }));
    const client = testClient(fetch);
    const items = [];
    for await (const item of client
      .paginate('/webhook_endpoints/{endpoint_id}/deliveries', { path: { endpoint_id: 'e 1' }, query: { status: 'failed' } })
      .items())
      items.push(item);
    expect(items).toEqual([{ id: 'd1' }]);
    expect(new URL(sent[0]?.request.url ?? '').pathname).toBe('/v2/webhook_endpoints/e%201/deliveries');
    expect(new URL(sent[0]?.request.url ?? '').searchParams.get('status')).toBe('failed');
    expect(() => client.paginate('/webhook_endpoints/{endpoint_id}/deliveries')).toThrow(
      'paginate: /webhook_endpoints/{endpoint_id}/deliveries needs options.path.endpoint_id',
    );
  });
});
