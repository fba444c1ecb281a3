import { createSimulationsClient, REGION_BASE_URLS, type Region, type SimulationsClient } from '@sims/client';
import { UsageError } from './errors.js';
import { VERSION } from './version.js';

/** The options every command takes, from flags or the environment. */
export interface GlobalOptions {
  baseUrl?: string;
  region?: string;
  apiKey?: string;
  json?: boolean;
}

export interface Context {
  client: SimulationsClient;
  baseUrl: string;
  json: boolean;
}

function isRegion(value: string): value is Region {
  return Object.hasOwn(REGION_BASE_URLS, value);
}

/**
 * Builds the client from the global options. Flags win over the environment (`SIMS_API_KEY`,
 * `SIMS_BASE_URL`, `SIMS_REGION`); a base URL wins over a region.
 */
export function createContext(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Context {
  const apiKey = options.apiKey ?? env.SIMS_API_KEY;
  if (!apiKey) throw new UsageError('no API key: pass --api-key or set SIMS_API_KEY');
  const baseUrl = options.baseUrl ?? (options.region ? undefined : env.SIMS_BASE_URL);
  const region = options.region ?? env.SIMS_REGION;
  const userAgent = `sims-cli/${VERSION}`;
  if (baseUrl) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new UsageError(`--base-url is not a URL: ${baseUrl}`);
    }
    return {
      client: createSimulationsClient({ apiKey, baseUrl: url.href.replace(/\/$/, ''), userAgent }),
      baseUrl,
      json: Boolean(options.json),
    };
  }
  const chosen = region ?? 'global';
  if (!isRegion(chosen)) throw new UsageError(`unknown region ${chosen}: one of ${Object.keys(REGION_BASE_URLS).join(', ')}`);
  return {
    client: createSimulationsClient({ apiKey, region: chosen, userAgent }),
    baseUrl: REGION_BASE_URLS[chosen],
    json: Boolean(options.json),
  };
}
