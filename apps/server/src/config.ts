import { resolve } from 'node:path';
import { llmConfigFromEnv } from '@sims/engine';
import type { EngineConfig } from './engine/runner.js';
import { TIMEOUT_DEFAULTS, type TimeoutConfig } from './http/transport.js';
import { QUEUE_DEFAULTS, type QueueConfig } from './queue/config.js';
import { WEBHOOK_DEFAULTS, type WebhookConfig } from './webhooks/config.js';

/**
 * What a server process does: `all` serves the API and runs simulations (the default, and the only
 * role on SQLite); on PostgreSQL, `api` serves the API and runs nothing, `worker` runs simulations
 * from the queue and serves only the health check.
 */
export type Role = 'all' | 'api' | 'worker';
const ROLES: readonly Role[] = ['all', 'api', 'worker'];

export interface RateLimitConfig {
  /** Requests allowed per window and per API key (or per client address without a key); 0 turns the limit off. */
  max: number;
  windowMs: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Folder of the SQLite database file (`sims.db`), the default storage. */
  dataDir: string;
  /** A `postgres://` URL (`SIMS_DATABASE_URL`): store in PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  rateLimit: RateLimitConfig;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Time-outs for slow clients; `TIMEOUT_DEFAULTS` when omitted. */
  timeouts?: TimeoutConfig;
  logLevel: string;
  /** How long a graceful shutdown waits for in-flight requests before closing their sockets. */
  shutdownGraceMs: number;
  /** The simulation engine's settings; defaults when omitted. */
  engine?: EngineConfig;
  /** `all` when omitted. */
  role?: Role;
  /** The run queue's settings on PostgreSQL; `QUEUE_DEFAULTS` when omitted. */
  queue?: QueueConfig;
  /** How webhook deliveries are sent and retried; `WEBHOOK_DEFAULTS` when omitted. */
  webhooks?: WebhookConfig;
}

export const ENGINE_DEFAULTS: EngineConfig = { concurrency: 4, timeoutMs: 120_000, allowPrivateNetworks: false, llm: {} };

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false' || raw === 'no') return false;
  if (raw === '1' || raw === 'true' || raw === 'yes') return true;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

/**
 * `SIMS_LLM_BASE_URL`, `SIMS_LLM_MODEL`, `SIMS_LLM_API_KEY` configure one model for the caller, the
 * judge and generation; `SIMS_LLM_PERSONA_*`, `SIMS_LLM_JUDGE_*`, `SIMS_LLM_GENERATOR_*` override it per role.
 */
function engineConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const base = llmConfigFromEnv(env);
  const role = (name: string) => llmConfigFromEnv(env, `SIMS_LLM_${name}`) ?? base;
  const persona = role('PERSONA');
  const judge = role('JUDGE');
  const generator = role('GENERATOR');
  const concurrency = integer(env, 'SIMS_CONCURRENCY', ENGINE_DEFAULTS.concurrency);
  if (concurrency < 1) throw new Error('SIMS_CONCURRENCY must be at least 1');
  return {
    concurrency,
    timeoutMs: integer(env, 'SIMS_SIMULATION_TIMEOUT_MS', ENGINE_DEFAULTS.timeoutMs),
    allowPrivateNetworks: flag(env, 'SIMS_ALLOW_PRIVATE_NETWORKS'),
    llm: { ...(persona ? { persona } : {}), ...(judge ? { judge } : {}), ...(generator ? { generator } : {}) },
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** A time-out of 0 would turn the protection off, so time-outs must be at least 1 ms. */
function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = integer(env, name, fallback);
  if (value < 1) throw new Error(`${name} must be at least 1`);
  return value;
}

/**
 * `SIMS_WEBHOOK_RETRY_DELAYS_MS` (the waits after each failed attempt, comma-separated),
 * `SIMS_WEBHOOK_POLL_MS`, `SIMS_WEBHOOK_TIMEOUT_MS`, `SIMS_WEBHOOK_DISABLE_AFTER_MS` and
 * `SIMS_WEBHOOK_CONCURRENCY`: the defaults follow spec/README.md "Webhooks"; tests shorten them.
 */
function webhookConfigFromEnv(env: NodeJS.ProcessEnv): WebhookConfig {
  const delays = env.SIMS_WEBHOOK_RETRY_DELAYS_MS;
  const retryDelaysMs =
    delays === undefined || delays === ''
      ? WEBHOOK_DEFAULTS.retryDelaysMs
      : delays.split(',').map((part) => {
          const value = Number(part.trim());
          if (part.trim() === '' || !Number.isInteger(value) || value < 0) {
            throw new Error(`SIMS_WEBHOOK_RETRY_DELAYS_MS must be non-negative integers separated by commas, got "${delays}"`);
          }
          return value;
        });
  return {
    pollMs: positive(env, 'SIMS_WEBHOOK_POLL_MS', WEBHOOK_DEFAULTS.pollMs),
    retryDelaysMs,
    disableAfterMs: integer(env, 'SIMS_WEBHOOK_DISABLE_AFTER_MS', WEBHOOK_DEFAULTS.disableAfterMs),
    timeoutMs: positive(env, 'SIMS_WEBHOOK_TIMEOUT_MS', WEBHOOK_DEFAULTS.timeoutMs),
    concurrency: positive(env, 'SIMS_WEBHOOK_CONCURRENCY', WEBHOOK_DEFAULTS.concurrency),
    stopGraceMs: WEBHOOK_DEFAULTS.stopGraceMs,
  };
}

function roleFromEnv(env: NodeJS.ProcessEnv): Role {
  const role = env.SIMS_ROLE || 'all';
  if (!(ROLES as readonly string[]).includes(role)) throw new Error(`SIMS_ROLE (--role) must be one of ${ROLES.join(', ')}, got "${role}"`);
  return role as Role;
}

/** Every setting has a default, so the server starts with no configuration at all. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    host: env.SIMS_HOST || '127.0.0.1',
    port: integer(env, 'PORT', 4010),
    dataDir: resolve(env.SIMS_DATA_DIR || 'data'),
    ...(env.SIMS_DATABASE_URL ? { databaseUrl: env.SIMS_DATABASE_URL } : {}),
    rateLimit: {
      max: integer(env, 'SIMS_RATE_LIMIT_MAX', 600),
      windowMs: integer(env, 'SIMS_RATE_LIMIT_WINDOW_MS', 60_000),
    },
    bodyLimit: 1024 * 1024,
    timeouts: {
      requestMs: positive(env, 'SIMS_REQUEST_TIMEOUT_MS', TIMEOUT_DEFAULTS.requestMs),
      headersMs: positive(env, 'SIMS_HEADERS_TIMEOUT_MS', TIMEOUT_DEFAULTS.headersMs),
      keepAliveMs: positive(env, 'SIMS_KEEP_ALIVE_TIMEOUT_MS', TIMEOUT_DEFAULTS.keepAliveMs),
    },
    logLevel: env.SIMS_LOG_LEVEL || 'info',
    shutdownGraceMs: integer(env, 'SIMS_SHUTDOWN_GRACE_MS', 10_000),
    engine: engineConfigFromEnv(env),
    role: roleFromEnv(env),
    queue: {
      pollMs: Math.max(500, integer(env, 'SIMS_QUEUE_POLL_MS', QUEUE_DEFAULTS.pollMs)),
      expiryMarginMs: integer(env, 'SIMS_QUEUE_EXPIRY_MARGIN_MS', QUEUE_DEFAULTS.expiryMarginMs),
      maintenanceMs: Math.max(1_000, integer(env, 'SIMS_QUEUE_MAINTENANCE_MS', QUEUE_DEFAULTS.maintenanceMs)),
    },
    webhooks: webhookConfigFromEnv(env),
  };
}
