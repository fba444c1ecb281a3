export { buildApp, VERSION, type AppOptions } from './app.js';
export { configFromEnv, type ServerConfig, type RateLimitConfig } from './config.js';
export { QueueOnlyEngine } from './engine/queue-only.js';
export type { Engine, CaseDraft, GenerationPlan, GenerationRequest } from './engine/types.js';
export { bootstrap, createWorkspace, hashKey, mintKey } from './keys.js';
export { startServer, type EngineFactory, type RunningServer } from './server.js';
export { openSqliteStorage, SqliteStorage } from './storage/sqlite/index.js';
export { DatabaseLockedError } from './storage/sqlite/lock.js';
export type * from './storage/types.js';
