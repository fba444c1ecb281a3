import { Command, Option } from 'commander';
import { unwrap, type ListItem, type Schemas } from '@sims/client';
import { ALL_PAGES, withContext } from '../command.js';
import { printList, type Column } from '../output.js';
import { addRecordCommands } from './records.js';

const COLUMNS: Column<ListItem<'/agents'>>[] = [
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

export function agentsCommand(): Command {
  const agents = new Command('agents').description('agents under test and how the engine reaches them (connector: in --file)');

  agents
    .command('list')
    .description('list every agent (all pages)')
    .option('--search <text>', 'only agents whose name contains this')
    .action(
      withContext(async (ctx, flags: { search?: string }) => {
        await printList(
          ctx.client.paginate('/agents', { query: { search: flags.search }, maxPages: ALL_PAGES }).items(),
          COLUMNS,
          ctx.json,
          'agent',
        );
      }),
    );

  return addRecordCommands<AgentFlags>(agents, {
    kind: 'agent',
    fields: (command) =>
      command
        .option('--name <name>', 'agent name')
        .option('--prompt <text>', "the agent's instructions")
        .addOption(new Option('--agent-type <type>', 'whether the agent answers or places calls').choices(['inbound', 'outbound']))
        .option('--avatar-url <url>', 'avatar image URL')
        .option('--phone-number <number>', 'phone number'),
    body: (flags) => ({
      name: flags.name,
      prompt: flags.prompt,
      agent_type: flags.agentType,
      avatar_url: flags.avatarUrl,
      phone_number: flags.phoneNumber,
    }),
    required: { name: '--name', prompt: '--prompt' },
    get: (client, id) => unwrap(client.GET('/agents/{agent_id}', { params: { path: { agent_id: id } } })),
    create: (client, body) => unwrap(client.POST('/agents', { body: body as Schemas['AgentCreateIn'] })),
    update: (client, id, body) =>
      unwrap(client.PUT('/agents/{agent_id}', { params: { path: { agent_id: id } }, body: body as Schemas['AgentUpdateIn'] })),
    remove: (client, id) => unwrap(client.DELETE('/agents/{agent_id}', { params: { path: { agent_id: id } } })),
  });
}
