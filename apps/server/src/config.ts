import { resolve } from 'node:path';

export interface RateLimitConfig {
  /** Requests allowed per window and per API key (or per client address without a key); 0 turns the limit off. */
  max: number;
  windowMs: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Folder of the SQLite database file (`sims.db`). */
  dataDir: string;
  rateLimit: RateLimitConfig;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  logLevel: string;
  /** How long a graceful shutdown waits for in-flight requests before closing their sockets. */
  shutdownGraceMs: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** Every setting has a default, so the server starts with no configuration at all. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    host: env.SIMS_HOST || '127.0.0.1',
    port: integer(env, 'PORT', 4010),
    dataDir: resolve(env.SIMS_DATA_DIR || 'data'),
    rateLimit: {
      max: integer(env, 'SIMS_RATE_LIMIT_MAX', 600),
      windowMs: integer(env, 'SIMS_RATE_LIMIT_WINDOW_MS', 60_000),
    },
    bodyLimit: 1024 * 1024,
    logLevel: env.SIMS_LOG_LEVEL || 'info',
    shutdownGraceMs: integer(env, 'SIMS_SHUTDOWN_GRACE_MS', 10_000),
  };
}
