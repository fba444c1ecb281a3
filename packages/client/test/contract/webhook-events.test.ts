import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { formatErrors, SpecValidator } from '@sims/testkit';
import { verifyWebhook } from '../../src/index.js';

// The events as the spec documents them (its `webhooks` section), signed the way the server signs
// them: verifyWebhook must take every one, into the type the spec's union gives it.

const spec = new SpecValidator();

interface WebhookItem {
  post: { operationId: string; requestBody: { content: { 'application/json': { examples?: Record<string, { value: unknown }> } } } };
}

const events = Object.entries(spec.at('/webhooks') as Record<string, WebhookItem>)
  .filter(([, item]) => item.post.operationId.endsWith('Event'))
  .flatMap(([name, item]) =>
    Object.entries(item.post.requestBody.content['application/json'].examples ?? {}).map(([example, { value }]) => ({
      name,
      example,
      value: value as { type: string },
    })),
  );

describe("the spec's webhook events", () => {
  it('are the four event types, each with an example', () => {
    expect(new Set(events.map((e) => e.value.type))).toEqual(
      new Set(['simulation.completed', 'simulation.failed', 'session.completed', 'session.cancelled']),
    );
  });

  it.each(events)('$name ($example): signed, verified into its type, valid against WebhookEvent', ({ value }) => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const body = JSON.stringify(value);
    const at = new Date();
    const id = `msg_${randomBytes(16).toString('hex')}`;
    const headers = new Headers({
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    });
    const event = verifyWebhook(body, headers, secret);
    expect(event).toEqual(value);
    expect(formatErrors(spec.validateSchema('WebhookEvent', event))).toBe('');
  });
});
