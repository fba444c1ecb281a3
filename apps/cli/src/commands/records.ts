import type { Command } from 'commander';
import type { SimulationsClient } from '@sims/client';
import { fileOption, withContext } from '../command.js';
import { buildBody, requireFields } from '../input.js';
import { printDeleted, printRecord } from '../output.js';

type Body = Record<string, unknown>;

/**
 * What the get/create/update/delete commands of a resource need to know. The calls stay typed
 * openapi-fetch calls in each resource's file; this module only holds the command plumbing they share.
 */
export interface RecordResource<Flags extends { file?: string }> {
  /** Singular noun, as printed: `case`. */
  kind: string;
  /** Adds the flags of the writable fields, for create and update. */
  fields(command: Command): Command;
  /** Flags only create has. */
  createOnly?(command: Command): Command;
  /** The request fields the flags give; `undefined` ones are not sent. */
  body(flags: Flags): Body;
  /** Fields a create must have, with the flag that gives each. */
  required: Record<string, string>;
  get(client: SimulationsClient, id: string): Promise<unknown>;
  create(client: SimulationsClient, body: Body): Promise<unknown>;
  update(client: SimulationsClient, id: string, body: Body): Promise<unknown>;
  remove(client: SimulationsClient, id: string): Promise<unknown>;
}

/** `an agent`, `a case`: the kinds are plain English nouns, so the first letter decides the article. */
function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** Adds `get <id>`, `create`, `update <id>` and `delete <id>` to a resource's command. */
export function addRecordCommands<Flags extends { file?: string }>(
  parent: Command,
  resource: RecordResource<Flags>,
  notes: { get?: string; delete?: string } = {},
): Command {
  const { kind } = resource;
  parent
    .command(`get <${kind}-id>`)
    .description(notes.get ?? `show one ${kind}`)
    .action(withContext(async (ctx, id: string) => printRecord(await resource.get(ctx.client, id), ctx.json)));

  const create = resource.fields(parent.command('create')).description(`create ${withArticle(kind)} from flags and/or --file`);
  (resource.createOnly?.(create) ?? create).addOption(fileOption()).action(
    withContext(async (ctx, flags: Flags) => {
      const body = await buildBody<Body>(flags.file, resource.body(flags));
      requireFields(body, resource.required);
      printRecord(await resource.create(ctx.client, body), ctx.json);
    }),
  );

  resource
    .fields(parent.command(`update <${kind}-id>`))
    .description('change the fields given (flags and/or --file); the others stay')
    .addOption(fileOption())
    .action(
      withContext(async (ctx, id: string, flags: Flags) => {
        printRecord(await resource.update(ctx.client, id, await buildBody<Body>(flags.file, resource.body(flags))), ctx.json);
      }),
    );

  parent
    .command(`delete <${kind}-id>`)
    .description(notes.delete ?? `delete ${withArticle(kind)}`)
    .action(
      withContext(async (ctx, id: string) => {
        await resource.remove(ctx.client, id);
        printDeleted(kind, id, ctx.json);
      }),
    );
  return parent;
}
