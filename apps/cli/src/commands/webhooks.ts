import { Command, InvalidArgumentError, Option } from 'commander';
import { unwrap, type ListItem, type Schemas, type WebhookDelivery, type WebhookEventType } from '@sims/client';
import { ALL_PAGES, fileOption, withContext } from '../command.js';
import { buildBody, requireFields } from '../input.js';
import { print, printDeleted, printJson, printList, printRecord, type Column } from '../output.js';

/** Keyed by the spec's enum, so the compiler refuses this list once an event type is added or removed. */
const EVENT_KEYS: Record<WebhookEventType, true> = {
  'simulation.completed': true,
  'simulation.failed': true,
  'session.completed': true,
  'session.cancelled': true,
};
const isEventType = (value: string): value is WebhookEventType => Object.hasOwn(EVENT_KEYS, value);
const EVENT_TYPES = Object.keys(EVENT_KEYS).filter(isEventType);

/** `--events a,b`: the comma-separated event types, checked against the spec's before any call. */
function parseEvents(value: string): WebhookEventType[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !isEventType(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`${unknown.length > 0 ? `unknown ${unknown.join(', ')}; ` : ''}allowed: ${EVENT_TYPES.join(', ')}.`);
  }
  return [...new Set(names.filter(isEventType))];
}

const eventsOption = (what: string) =>
  new Option('--events <types>', `comma-separated events to send (${EVENT_TYPES.join(', ')}); ${what}`).argParser(parseEvents);

const ENDPOINT_COLUMNS: Column<ListItem<'/webhook_endpoints'>>[] = [
  { head: 'id', value: (e) => e.id },
  { head: 'url', value: (e) => e.url },
  { head: 'events', value: (e) => e.event_types },
  { head: 'enabled', value: (e) => (e.enabled ? 'yes' : 'no') },
  { head: 'description', value: (e) => e.description },
];

const DELIVERY_COLUMNS: Column<WebhookDelivery>[] = [
  { head: 'id', value: (d) => d.id },
  { head: 'event', value: (d) => d.event_type },
  { head: 'status', value: (d) => d.status },
  { head: 'attempts', value: (d) => d.attempt_count },
  // The newest attempt comes first: its status code, or its error when the endpoint gave none.
  { head: 'last answer', value: (d) => d.attempts[0]?.status_code ?? d.attempts[0]?.error },
  { head: 'next attempt', value: (d) => d.next_attempt_at },
  { head: 'created', value: (d) => d.created_at },
];

/**
 * The answer of a create or a rotation: the endpoint, then its secret with the note that it is not
 * shown again. With `--json`, the API's answer alone, so that a script can read the secret from it.
 */
function printSecret(answer: Schemas['WebhookEndpointSecretOut'], json: boolean, note: string): void {
  if (json) {
    printJson(answer);
    return;
  }
  printRecord(answer.endpoint, false);
  print();
  print(`secret: ${answer.secret}`);
  print(`Keep this secret now: it is never shown again. ${note}`);
}

interface WriteFlags {
  url?: string;
  events?: WebhookEventType[];
  description?: string;
  enable?: boolean;
  disable?: boolean;
  file?: string;
}

export function webhooksCommand(): Command {
  const webhooks = new Command('webhooks').description(
    'webhook endpoints: URLs the API POSTs signed events to when simulations and sessions finish, and their delivery logs',
  );

  webhooks
    .command('list')
    .description('list every webhook endpoint (all pages)')
    .action(
      withContext(async (ctx) => {
        await printList(ctx.client.paginate('/webhook_endpoints', { maxPages: ALL_PAGES }).items(), ENDPOINT_COLUMNS, ctx.json, 'endpoint');
      }),
    );

  webhooks
    .command('create')
    .description('create a webhook endpoint (flags and/or --file); prints its signing secret, this once')
    .option('--url <url>', 'where events are POSTed')
    .addOption(eventsOption('default all'))
    .option('--description <text>', 'what the endpoint is for')
    .addOption(fileOption())
    .action(
      withContext(async (ctx, flags: WriteFlags) => {
        const body = await buildBody<Schemas['WebhookEndpointCreateIn']>(flags.file, {
          url: flags.url,
          event_types: flags.events,
          description: flags.description,
        });
        requireFields(body as unknown as Record<string, unknown>, { url: '--url' });
        const created = await unwrap(ctx.client.POST('/webhook_endpoints', { body }));
        printSecret(created, ctx.json, 'Verify each delivery with it: verifyWebhook of @sims/client, or any Standard Webhooks library.');
      }),
    );

  webhooks
    .command('get <endpoint-id>')
    .description('show one webhook endpoint (never its secret)')
    .action(
      withContext(async (ctx, id: string) => {
        printRecord(await unwrap(ctx.client.GET('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: id } } })), ctx.json);
      }),
    );

  webhooks
    .command('update <endpoint-id>')
    .description('change the fields given (flags and/or --file); the others stay. --enable re-enables an endpoint disabled for failing')
    .option('--url <url>', 'where events are POSTed')
    .addOption(eventsOption('replaces the list'))
    .option('--description <text>', 'what the endpoint is for')
    .addOption(new Option('--enable', 'send events to it again (pending deliveries resume)').conflicts('disable'))
    .addOption(new Option('--disable', 'stop sending events to it; pending deliveries wait'))
    .addOption(fileOption())
    .action(
      withContext(async (ctx, id: string, flags: WriteFlags) => {
        const body = await buildBody<Schemas['WebhookEndpointUpdateIn']>(flags.file, {
          url: flags.url,
          event_types: flags.events,
          description: flags.description,
          enabled: flags.enable ? true : flags.disable ? false : undefined,
        });
        printRecord(
          await unwrap(ctx.client.PUT('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: id } }, body })),
          ctx.json,
        );
      }),
    );

  webhooks
    .command('delete <endpoint-id>')
    .description('delete a webhook endpoint with its deliveries; pending ones are not sent')
    .action(
      withContext(async (ctx, id: string) => {
        await unwrap(ctx.client.DELETE('/webhook_endpoints/{endpoint_id}', { params: { path: { endpoint_id: id } } }));
        printDeleted('webhook endpoint', id, ctx.json);
      }),
    );

  webhooks
    .command('rotate-secret <endpoint-id>')
    .description('make a new signing secret and print it, this once; for 24 hours deliveries carry signatures with both secrets')
    .action(
      withContext(async (ctx, id: string) => {
        const rotated = await unwrap(
          ctx.client.POST('/webhook_endpoints/{endpoint_id}/rotate_secret', { params: { path: { endpoint_id: id } } }),
        );
        printSecret(
          rotated,
          ctx.json,
          'For 24 hours deliveries are signed with both this and the previous secret: switch your receiver to it within that time.',
        );
      }),
    );

  webhooks
    .command('deliveries <endpoint-id>')
    .description("list an endpoint's deliveries, newest first (all pages): each event, its state and its latest attempt")
    .addOption(new Option('--status <status>', 'only deliveries in this state').choices(['pending', 'delivered', 'failed']))
    .action(
      withContext(async (ctx, id: string, flags: { status?: Schemas['WebhookDeliveryStatus'] }) => {
        const deliveries = ctx.client.paginate('/webhook_endpoints/{endpoint_id}/deliveries', {
          path: { endpoint_id: id },
          query: { status: flags.status },
          maxPages: ALL_PAGES,
        });
        await printList(deliveries.items(), DELIVERY_COLUMNS, ctx.json, 'delivery', 'deliveries');
      }),
    );

  webhooks
    .command('redeliver <endpoint-id> <delivery-id>')
    .description('send a delivery again now, with the same webhook-id, whatever its state (the endpoint must be enabled)')
    .action(
      withContext(async (ctx, id: string, deliveryId: string) => {
        const delivery = await unwrap(
          ctx.client.POST('/webhook_endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver', {
            params: { path: { endpoint_id: id, delivery_id: deliveryId } },
          }),
        );
        if (ctx.json) printJson(delivery);
        else print(`queued delivery ${delivery.id} (${delivery.event_type}, webhook-id ${delivery.event_id}) to be sent again now`);
      }),
    );

  return webhooks;
}
