import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromEnv } from '../src/config.js';
import { WEBHOOK_DEFAULTS, type WebhookConfig } from '../src/webhooks/config.js';
import { WebhookDispatcher } from '../src/webhooks/dispatcher.js';
import { retryDelay } from '../src/webhooks/schedule.js';
import { signatureHeaders } from '../src/webhooks/sign.js';
import { FakeWebhooks, newSecret, sessionEvent } from './support/fake-webhooks.js';
import { type ReceivedWebhook, type Receiver, startReceiver, until } from './support/webhook-receiver.js';

/**
 * The dispatcher against an in-memory `Storage.webhooks` (the storages' own behaviour is in the
 * storage contract; the whole path through a real server in webhooks-delivery.test.ts): signing,
 * retries, the end of the schedule, disabling, the URL guard, time-outs and stopping.
 */
const FAST: WebhookConfig = { ...WEBHOOK_DEFAULTS, pollMs: 10, retryDelaysMs: [1, 1, 1, 1, 1, 1, 1], timeoutMs: 2_000, stopGraceMs: 200 };
const quiet = { info: () => {}, warn: () => {} };
const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.stop();
});

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const started = await startReceiver(answer);
  running.push(started);
  return started;
}

function dispatcher(fake: FakeWebhooks, config: Partial<WebhookConfig> = {}, allowPrivateNetworks = true) {
  const started = new WebhookDispatcher(fake.asStorage(), {
    config: { ...FAST, ...config },
    policy: { allowPrivateNetworks },
    userAgent: 'sims-server/test',
    log: quiet,
  });
  started.start();
  running.push(started);
  return started;
}

const asHeaders = (got: ReceivedWebhook) => got.headers as Record<string, string>;

describe('the retry schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h by default, each ±10%, and ends after the eighth attempt', () => {
    const base = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
    for (const [index, delay] of base.entries()) {
      expect(retryDelay(index + 1, WEBHOOK_DEFAULTS.retryDelaysMs, () => 0.5)).toBe(delay);
      expect(retryDelay(index + 1, WEBHOOK_DEFAULTS.retryDelaysMs, () => 0)).toBe(Math.round(delay * 0.9));
      expect(retryDelay(index + 1, WEBHOOK_DEFAULTS.retryDelaysMs, () => 1)).toBe(Math.round(delay * 1.1));
    }
    expect(retryDelay(8, WEBHOOK_DEFAULTS.retryDelaysMs)).toBeUndefined();
    expect(WEBHOOK_DEFAULTS.timeoutMs).toBe(15_000);
    expect(WEBHOOK_DEFAULTS.disableAfterMs).toBe(24 * 3600 * 1000);
  });
});

describe('the configuration', () => {
  it('defaults to the schedule of the spec and takes shorter ones from SIMS_WEBHOOK_* for tests', () => {
    expect(configFromEnv({}).webhooks).toEqual(WEBHOOK_DEFAULTS);
    const env = {
      SIMS_WEBHOOK_RETRY_DELAYS_MS: '10, 20,30',
      SIMS_WEBHOOK_POLL_MS: '5',
      SIMS_WEBHOOK_TIMEOUT_MS: '100',
      SIMS_WEBHOOK_DISABLE_AFTER_MS: '0',
    };
    expect(configFromEnv(env).webhooks).toMatchObject({ retryDelaysMs: [10, 20, 30], pollMs: 5, timeoutMs: 100, disableAfterMs: 0 });
    expect(() => configFromEnv({ SIMS_WEBHOOK_RETRY_DELAYS_MS: '10,,30' })).toThrow(/SIMS_WEBHOOK_RETRY_DELAYS_MS/);
    expect(() => configFromEnv({ SIMS_WEBHOOK_RETRY_DELAYS_MS: '5s' })).toThrow(/SIMS_WEBHOOK_RETRY_DELAYS_MS/);
    expect(() => configFromEnv({ SIMS_WEBHOOK_TIMEOUT_MS: '0' })).toThrow(/SIMS_WEBHOOK_TIMEOUT_MS must be at least 1/);
  });
});

describe('signatures', () => {
  const endpoint = {
    id: 'e',
    url: 'http://127.0.0.1/',
    secret: newSecret(),
    previous_secret: null,
    previous_secret_expires_at: null,
    failing_since: null,
  };
  const body = JSON.stringify(sessionEvent());

  it('verify with the standardwebhooks library; a tampered body or an old timestamp does not', () => {
    const now = new Date();
    const headers = signatureHeaders(endpoint, 'msg_0123456789abcdef0123456789abcdef', now, body);
    expect(headers['webhook-id']).toBe('msg_0123456789abcdef0123456789abcdef');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const hook = new Webhook(endpoint.secret);
    expect(hook.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => hook.verify(body.replace('0.5', '0.9'), headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow(/No matching signature/);
    const old = signatureHeaders(endpoint, headers['webhook-id'], new Date(now.getTime() - 10 * 60_000), body);
    expect(() => hook.verify(body, old)).toThrow(/too old/);
  });

  it('carry a second signature with the previous secret until it expires, and each verifies', () => {
    const now = new Date();
    const previous = newSecret();
    const rotated = { ...endpoint, previous_secret: previous, previous_secret_expires_at: new Date(now.getTime() + 60_000).toISOString() };
    const headers = signatureHeaders(rotated, 'msg_00000000000000000000000000000001', now, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(endpoint.secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    const expired = { ...rotated, previous_secret_expires_at: new Date(now.getTime() - 1).toISOString() };
    const later = signatureHeaders(expired, 'msg_00000000000000000000000000000001', now, body);
    expect(later['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => new Webhook(previous).verify(body, later)).toThrow(/No matching signature/);
  });
});

describe('the dispatcher', () => {
  it('delivers a signed POST that the receiver verifies, and records the attempt', async () => {
    const target = await receiver(() => ({ status: 200, body: 'thanks' }));
    const fake = new FakeWebhooks();
    const endpoint = fake.addEndpoint(target.url);
    const delivery = fake.addDelivery(endpoint);
    dispatcher(fake);
    await until(() => fake.deliveries.get(delivery.id)!.status === 'delivered', 'the delivery');
    expect(target.received).toHaveLength(1);
    const got = target.received[0]!;
    expect(got.headers['webhook-id']).toBe(delivery.event_id);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe('sims-server/test');
    expect(new Webhook(endpoint.secret).verify(got.body, asHeaders(got))).toEqual(delivery.payload);
    const stored = fake.deliveries.get(delivery.id)!;
    expect(stored).toMatchObject({ attempt_count: 1, next_attempt_at: null });
    expect(stored.attempts).toEqual([
      { attempted_at: expect.any(String), status_code: 200, latency_ms: expect.any(Number), error: null, response_excerpt: 'thanks' },
    ]);
  });

  it('retries a receiver that is down (refusing, then 500) with the same webhook-id until it answers 2xx', async () => {
    const target = await receiver((_request, index) =>
      index === 0 ? 'drop' : index < 3 ? { status: 500, body: 'down' } : { status: 202 },
    );
    const fake = new FakeWebhooks();
    const endpoint = fake.addEndpoint(target.url);
    const deliveries = [fake.addDelivery(endpoint), fake.addDelivery(endpoint)];
    dispatcher(fake);
    await until(() => deliveries.every((d) => fake.deliveries.get(d.id)!.status === 'delivered'), 'both deliveries');
    for (const delivery of deliveries) {
      const requests = target.received.filter((r) => r.headers['webhook-id'] === delivery.event_id);
      for (const request of requests)
        expect(new Webhook(endpoint.secret).verify(request.body, asHeaders(request))).toEqual(delivery.payload);
      const attempts = fake.deliveries.get(delivery.id)!.attempts;
      expect(attempts).toHaveLength(requests.length);
      expect(attempts[0]).toMatchObject({ status_code: 202, error: null });
    }
    const errors = deliveries.flatMap((d) =>
      fake.deliveries
        .get(d.id)!
        .attempts.slice(1)
        .map((a) => a.error),
    );
    expect(errors).toContain('HTTP 500');
    expect(errors.some((e) => e !== 'HTTP 500' && e !== null)).toBe(true);
    expect(target.received).toHaveLength(5);
    expect(fake.endpoints.get(endpoint.id)!.failing_since).toBeNull();
  });

  it('schedules a retry after the configured delay with jitter, and marks the delivery failed after the last attempt', async () => {
    const target = await receiver(() => ({ status: 503, body: 'x'.repeat(2_000) }));
    const fake = new FakeWebhooks();
    const endpoint = fake.addEndpoint(target.url);
    const delivery = fake.addDelivery(endpoint);
    dispatcher(fake, { retryDelaysMs: [1, 1, 1] });
    await until(() => fake.deliveries.get(delivery.id)!.status === 'failed', 'the delivery to fail');
    const stored = fake.deliveries.get(delivery.id)!;
    expect(stored).toMatchObject({ attempt_count: 4, next_attempt_at: null });
    expect(stored.attempts.map((a) => a.error)).toEqual(['HTTP 503', 'HTTP 503', 'HTTP 503', 'HTTP 503']);
    expect(stored.attempts[0]!.response_excerpt).toBe('x'.repeat(500));
    expect(new Set(target.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery.event_id]));
    expect(fake.endpoints.get(endpoint.id)).toMatchObject({ enabled: true, failing_since: stored.attempts[3]!.attempted_at });

    // One retry an hour later, within ±10%.
    const slow = new FakeWebhooks();
    const pending = slow.addDelivery(slow.addEndpoint(target.url));
    dispatcher(slow, { retryDelaysMs: [3_600_000] });
    await until(() => slow.deliveries.get(pending.id)!.attempt_count === 1, 'the first attempt');
    const retried = slow.deliveries.get(pending.id)!;
    const wait = Date.parse(retried.next_attempt_at!) - Date.parse(retried.attempts[0]!.attempted_at);
    expect(retried.status).toBe('pending');
    expect(wait).toBeGreaterThanOrEqual(3_240_000);
    expect(wait).toBeLessThanOrEqual(3_960_000);
  });

  it('treats a redirect as a failure and does not follow it', async () => {
    const target = await receiver((request) =>
      request.headers['webhook-id'] ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 },
    );
    const fake = new FakeWebhooks();
    const delivery = fake.addDelivery(fake.addEndpoint(target.url));
    dispatcher(fake, { retryDelaysMs: [] });
    await until(() => fake.deliveries.get(delivery.id)!.status === 'failed', 'the delivery to fail');
    expect(target.received).toHaveLength(1);
    expect(fake.deliveries.get(delivery.id)!.attempts[0]).toMatchObject({ status_code: 302, error: 'HTTP 302' });
  });

  it('disables an endpoint that has failed for the configured time, naming since when and the last error; its deliveries wait', async () => {
    const target = await receiver(() => ({ status: 500 }));
    const fake = new FakeWebhooks();
    const since = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
    const failing = fake.addEndpoint(target.url, { failing_since: since });
    const recent = fake.addEndpoint(target.url, { failing_since: new Date(Date.now() - 3600 * 1000).toISOString() });
    const first = fake.addDelivery(failing);
    const second = fake.addDelivery(failing);
    const other = fake.addDelivery(recent);
    dispatcher(fake, { retryDelaysMs: [60_000], concurrency: 1 });
    await until(
      () => fake.deliveries.get(other.id)!.attempt_count === 1 && fake.endpoints.get(failing.id)!.enabled === false,
      'the attempts',
    );
    expect(fake.endpoints.get(failing.id)!.disabled_reason).toBe(`Every attempt has failed since ${since}; the last error: HTTP 500.`);
    expect(fake.endpoints.get(recent.id)).toMatchObject({ enabled: true, disabled_reason: null });
    // The endpoint was disabled at the first failure; its other delivery stays pending, unsent.
    const attempted = [first, second].map((d) => fake.deliveries.get(d.id)!);
    expect(attempted.map((d) => d.attempt_count).sort()).toEqual([0, 1]);
    expect(attempted.every((d) => d.status === 'pending')).toBe(true);
    expect(target.received).toHaveLength(2);
  });

  it('applies the outbound URL guard at every attempt: loopback without allowPrivateNetworks is refused unsent', async () => {
    const target = await receiver();
    const fake = new FakeWebhooks();
    const delivery = fake.addDelivery(fake.addEndpoint(target.url));
    const named = fake.addDelivery(fake.addEndpoint(target.url.replace('127.0.0.1', 'localhost')));
    dispatcher(fake, { retryDelaysMs: [] }, false);
    await until(() => [delivery, named].every((d) => fake.deliveries.get(d.id)!.status === 'failed'), 'the deliveries to fail');
    for (const d of [delivery, named]) {
      expect(fake.deliveries.get(d.id)!.attempts[0]).toMatchObject({
        status_code: null,
        error: expect.stringMatching(/^refused by the outbound URL guard: .*allowPrivateNetworks/),
      });
    }
    expect(target.received).toEqual([]);
  });

  it('fails an attempt that gets no answer within the time-out', async () => {
    const target = await receiver(() => 'hang');
    const fake = new FakeWebhooks();
    const delivery = fake.addDelivery(fake.addEndpoint(target.url));
    dispatcher(fake, { retryDelaysMs: [], timeoutMs: 100 });
    await until(() => fake.deliveries.get(delivery.id)!.status === 'failed', 'the delivery to fail');
    expect(fake.deliveries.get(delivery.id)!.attempts[0]).toMatchObject({ status_code: null, error: 'no answer within 100 ms' });
  });

  it('on stop, aborts an attempt still in flight after the grace and records nothing: the lease hands it on', async () => {
    const target = await receiver(() => 'hang');
    const fake = new FakeWebhooks();
    const delivery = fake.addDelivery(fake.addEndpoint(target.url));
    const started = dispatcher(fake, { timeoutMs: 60_000, stopGraceMs: 50 });
    await until(() => target.received.length === 1, 'the attempt');
    await started.stop();
    const stored = fake.deliveries.get(delivery.id)!;
    expect(stored).toMatchObject({ status: 'pending', attempt_count: 0, attempts: [] });
    // Leased for the time-out and a margin from the claim.
    expect(Date.parse(stored.next_attempt_at!) - Date.parse(delivery.created_at)).toBeGreaterThanOrEqual(60_000);
  });
});
