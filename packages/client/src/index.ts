export {
  createSimulationsClient,
  REGION_BASE_URLS,
  DEFAULT_TIMEOUT_MS,
  type Region,
  type SimulationsClient,
  type SimulationsClientOptions,
} from './client.js';
export { SimulationsApiError, unwrap, parseRetryAfter, type FallbackErrorCode, type FetchResult } from './errors.js';
export { RETRY_DEFAULTS, type FetchLike, type RetryEvent, type RetryOptions } from './transport.js';
export { PAGINATE_DEFAULTS, type Page, type PageIterator, type PaginateOptions } from './paginate.js';
export {
  WAIT_DEFAULTS,
  type RunSuiteCancel,
  type RunSuiteOptions,
  type RunSuiteResult,
  type SessionProgress,
  type WaitForSessionOptions,
  type WaitForSimulationOptions,
  type WaitOptions,
} from './wait.js';
export { isNoBaseline, type Baseline, type CompareSessionsOptions, type SessionReportOptions } from './reports.js';
export { isAlreadyFinished, type CancelOptions } from './cancel.js';
export { readNdjson, type GenerateCasesOptions } from './generate.js';
export { verifyWebhook, WebhookVerificationError, type WebhookHeaders, type WebhookVerificationReason } from './webhooks.js';
export type { SimulationsHelpers } from './helpers.js';
export type {
  AgentTool,
  ErrorBody,
  ErrorCode,
  FieldError,
  ListFilters,
  ListItem,
  ListPath,
  ListPathParams,
  ModelUsage,
  Payload,
  ReplayDivergence,
  Schemas,
  Simulation,
  SimulationCaseGenerateEvent,
  SimulationCaseGenerateIn,
  SimulationCaseComparison,
  SimulationCaseReport,
  SimulationSession,
  SimulationSessionCancel,
  SimulationSessionComparison,
  SimulationSessionReport,
  SimulationStatus,
  SimulationSuiteExecution,
  SimulationUsage,
  ToolMock,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
  WebhookEventType,
} from './types.js';
export type { paths, components, operations } from '@sims/api-types';
export type { Middleware } from 'openapi-fetch';
export { VERSION } from './version.js';
