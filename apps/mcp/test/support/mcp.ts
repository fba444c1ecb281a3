import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The built server, as an MCP client starts it (`pnpm --filter @sims/mcp build` first; turbo's test task does it). */
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface McpSession {
  client: Client;
  /** Everything the server wrote on stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/**
 * Spawns the built server over stdio with the SDK's own client, with only the given SIMS_* variables
 * (none of the machine running the tests).
 */
export async function startMcp(env: Record<string, string>): Promise<McpSession> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name, value]) => !name.startsWith('SIMS_') && value !== undefined),
  );
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN],
    env: { ...(inherited as Record<string, string>), ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'sims-mcp-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

/** The text blocks of a tool's answer. */
export function texts(result: CallToolResult | Record<string, unknown>): string[] {
  const content = (result as CallToolResult).content ?? [];
  return content.flatMap((block) => (block.type === 'text' ? [block.text] : []));
}

/** The JSON payload of a successful tool answer: its last text block. Fails with the whole answer otherwise. */
export function payload<T = any>(result: CallToolResult | Record<string, unknown>): T {
  if ((result as CallToolResult).isError) throw new Error(`the tool answered an error:\n${texts(result).join('\n')}`);
  const last = texts(result).at(-1);
  if (last === undefined) throw new Error(`the tool answered no text: ${JSON.stringify(result)}`);
  return JSON.parse(last) as T;
}
