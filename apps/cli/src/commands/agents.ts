import { Command, Option } from 'commander';
import { unwrap, type Schemas } from '@sims/client';
import { ALL_PAGES, fileOption, withContext } from '../command.js';
import { buildBody, requireFields } from '../input.js';
import { printDeleted, printList, printRecord, type Column } from '../output.js';

type Agent = Schemas['AgentReadOut'];

const COLUMNS: Column<Agent>[] = [
  { head: 'id', value: (a) => a.id },
  { head: 'name', value: (a) => a.name },
  { head: 'type', value: (a) => a.agent_type },
  { head: 'connector', value: (a) => a.connector.kind },
];

interface AgentFlags {
  name?: string;
  prompt?: string;
  agentType?: string;
  avatarUrl?: string;
  phoneNumber?: string;
  file?: string;
}

function withAgentFields(command: Command): Command {
  return command
    .option('--name <name>', 'agent name')
    .option('--prompt <text>', "the agent's instructions")
    .addOption(new Option('--agent-type <type>', 'whether the agent answers or places calls').choices(['inbound', 'outbound']))
    .option('--avatar-url <url>', 'avatar image URL')
    .option('--phone-number <number>', 'phone number')
    .addOption(fileOption());
}

const bodyFlags = (flags: AgentFlags) => ({
  name: flags.name,
  prompt: flags.prompt,
  agent_type: flags.agentType,
  avatar_url: flags.avatarUrl,
  phone_number: flags.phoneNumber,
});

export function agentsCommand(): Command {
  const agents = new Command('agents').description('agents under test and how the engine reaches them');

  agents
    .command('list')
    .description('list every agent (all pages)')
    .option('--search <text>', 'only agents whose name contains this')
    .action(
      withContext(async (ctx, flags: { search?: string }) => {
        await printList(ctx.client.paginate('/agents', { query: { search: flags.search }, maxPages: ALL_PAGES }).items(), COLUMNS, ctx.json, 'agent');
      }),
    );

  agents
    .command('get <agent-id>')
    .description('show one agent')
    .action(
      withContext(async (ctx, id: string) => {
        printRecord(await unwrap(ctx.client.GET('/agents/{agent_id}', { params: { path: { agent_id: id } } })), ctx.json);
      }),
    );

  withAgentFields(agents.command('create'))
    .description('create an agent from flags and/or --file')
    .action(
      withContext(async (ctx, flags: AgentFlags) => {
        const body = await buildBody<Schemas['AgentCreateIn']>(flags.file, bodyFlags(flags));
        requireFields(body, { name: '--name', prompt: '--prompt' });
        printRecord(await unwrap(ctx.client.POST('/agents', { body })), ctx.json);
      }),
    );

  withAgentFields(agents.command('update <agent-id>'))
    .description('change the fields given (flags and/or --file)')
    .action(
      withContext(async (ctx, id: string, flags: AgentFlags) => {
        const body = await buildBody<Schemas['AgentUpdateIn']>(flags.file, bodyFlags(flags));
        printRecord(await unwrap(ctx.client.PUT('/agents/{agent_id}', { params: { path: { agent_id: id } }, body })), ctx.json);
      }),
    );

  agents
    .command('delete <agent-id>')
    .description('delete an agent')
    .action(
      withContext(async (ctx, id: string) => {
        await unwrap(ctx.client.DELETE('/agents/{agent_id}', { params: { path: { agent_id: id } } }));
        printDeleted('agent', id, ctx.json);
      }),
    );

  return agents;
}
