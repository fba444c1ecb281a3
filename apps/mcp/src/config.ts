import { createSimulationsClient, REGION_BASE_URLS, type Region, type SimulationsClient } from '@sims/client';
import { VERSION } from './version.js';

/** How long `run_suite_and_report` pauses between two reads of the session by default, as the client's `runSuite`. */
const DEFAULT_POLL_INTERVAL_MS = 2_000;

/**
 * The server's configuration from its environment, as the CLI reads it: `SIMS_API_KEY`, and
 * `SIMS_BASE_URL` or else `SIMS_REGION` (default `global`); `SIMS_POLL_INTERVAL_MS` sets how often a
 * running suite is read, `SIMS_MCP_TOOLS` which tools are offered. A problem does not stop the
 * server: it still lists its tools, and every call answers the problem as a tool error, which is
 * where the person configuring the client looks.
 */
export type Config = {
  baseUrl: string;
  pollIntervalMs: number;
  /** Tool names and groups to offer (`SIMS_MCP_TOOLS`, comma-separated); every tool when absent. */
  toolSelection?: readonly string[];
} & ({ client: SimulationsClient; problem?: never } | { problem: string; client?: never });

function isRegion(value: string): value is Region {
  return Object.hasOwn(REGION_BASE_URLS, value);
}

function baseUrlOf(env: NodeJS.ProcessEnv): { baseUrl: string; problem?: string } {
  if (env.SIMS_BASE_URL) {
    try {
      return { baseUrl: new URL(env.SIMS_BASE_URL).href.replace(/\/$/, '') };
    } catch {
      return { baseUrl: env.SIMS_BASE_URL, problem: `SIMS_BASE_URL is not a URL: ${env.SIMS_BASE_URL}` };
    }
  }
  const region = env.SIMS_REGION || 'global';
  if (!isRegion(region)) {
    return {
      baseUrl: REGION_BASE_URLS.global,
      problem: `SIMS_REGION ${region} is unknown: one of ${Object.keys(REGION_BASE_URLS).join(', ')}`,
    };
  }
  return { baseUrl: REGION_BASE_URLS[region] };
}

function toolSelectionOf(env: NodeJS.ProcessEnv): readonly string[] | undefined {
  const names = (env.SIMS_MCP_TOOLS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return names.length ? names : undefined;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { baseUrl, problem } = baseUrlOf(env);
  const toolSelection = toolSelectionOf(env);
  const pollIntervalMs = env.SIMS_POLL_INTERVAL_MS ? Number(env.SIMS_POLL_INTERVAL_MS) : DEFAULT_POLL_INTERVAL_MS;
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 100) {
    const problem = `SIMS_POLL_INTERVAL_MS must be a whole number of milliseconds, 100 or more: ${env.SIMS_POLL_INTERVAL_MS}`;
    return { problem, baseUrl, pollIntervalMs: DEFAULT_POLL_INTERVAL_MS, toolSelection };
  }
  if (problem) return { problem, baseUrl, pollIntervalMs, toolSelection };
  const apiKey = env.SIMS_API_KEY?.trim();
  if (!apiKey) {
    return {
      problem: 'SIMS_API_KEY is not set: add the workspace API key to the env of this server in the MCP client configuration',
      baseUrl,
      pollIntervalMs,
      toolSelection,
    };
  }
  const client = createSimulationsClient({ apiKey, baseUrl, userAgent: `sims-mcp/${VERSION}` });
  return { client, baseUrl, pollIntervalMs, toolSelection };
}
