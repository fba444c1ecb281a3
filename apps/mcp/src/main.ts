#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadBundle } from '@sims/spec/runtime';
import { readConfig } from './config.js';
import { createSimsServer } from './server.js';
import { VERSION } from './version.js';

// stdout carries the protocol and nothing else: every line of the server's own goes to stderr,
// which MCP clients keep in their logs. The API key is never written.
const log = (line: string) => process.stderr.write(`sims-mcp: ${line}\n`);

process.on('uncaughtException', (error) => {
  log(`stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  log(`stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});

const config = readConfig(process.env);
const { server, tools, problem } = createSimsServer({ spec: loadBundle(), config, log });
const transport = new StdioServerTransport();
// The client closing stdin ends the session; a suite still being waited for is left running on the
// server (it is the client's call to cancel it, by cancelling the request).
process.stdin.on('end', () => {
  void server.close().finally(() => process.exit(0));
});
await server.connect(transport);
log(`${VERSION} ready: ${tools.length} tools, API ${config.baseUrl}${problem ? `; not configured: ${problem}` : ''}`);
