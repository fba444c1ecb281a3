import type { components, paths } from '@sims/api-types';

/** Every schema of the spec, by component name: `Schemas['SimulationReadOut']`. */
export type Schemas = components['schemas'];

export type Simulation = Schemas['SimulationReadOut'];
export type SimulationStatus = Schemas['SimulationStatus'];
export type SimulationSession = Schemas['SimulationSessionReadOut'];
export type SimulationSuiteExecution = Schemas['SimulationSuiteExecuteOut'];
/** Model calls, tokens and latency per role of a simulation (`usage`, null until it finishes), summed on its session. */
export type SimulationUsage = Schemas['SimulationUsage'];
/** The model calls of one role (`persona`, `agent`, `judge` or `total`) of a `SimulationUsage`. */
export type ModelUsage = Schemas['ModelUsage'];
/** Where a replayed call first departed from its recording (a simulation's `divergence`). */
export type ReplayDivergence = Schemas['ReplayDivergence'];
/** A function an `openai` agent's model may call (`connector.tools`). */
export type AgentTool = Schemas['AgentTool'];
/** What a case answers for a tool call of the agent's model (`tool_mocks`). */
export type ToolMock = Schemas['ToolMock'];
export type SimulationSessionReport = Schemas['SimulationSessionReport'];
export type SimulationCaseReport = Schemas['SimulationCaseReport'];
export type SimulationSessionComparison = Schemas['SimulationSessionComparison'];
/** What cancelling a session did: how many simulations were cancelled, and its counters after. */
export type SimulationSessionCancel = Schemas['SimulationSessionCancelOut'];
export type SimulationCaseComparison = Schemas['SimulationCaseComparison'];
export type SimulationCaseGenerateIn = Schemas['SimulationCaseGenerateIn'];
export type SimulationCaseGenerateEvent = Schemas['SimulationCaseGenerateEvent'];
/** An event the API sends to webhook endpoints, tagged by `type`: what `verifyWebhook` answers. */
export type WebhookEvent = Schemas['WebhookEvent'];
export type WebhookEventType = Schemas['WebhookEventType'];
/** A webhook endpoint as read (never its secret). */
export type WebhookEndpoint = Schemas['WebhookEndpointReadOut'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type ErrorCode = Schemas['ErrorCode'];
export type FieldError = Schemas['FieldError'];
export type ErrorBody = Schemas['Error'];

/**
 * The payload of a success body: what is inside the `{ status: "ok", response }` envelope, or the
 * body itself for the operations the reference API does not wrap (executeSimulationSuite), or
 * `undefined` for a body-less answer (the 204 of a delete).
 */
export type Payload<Data> = [Data] extends [never] ? undefined : Data extends { status: 'ok'; response: infer Inner } ? Inner : Data;

/** The JSON body of the 200 answer of `GET path`. */
type GetJson<Path extends keyof paths> = paths[Path] extends {
  get: { responses: { 200: { content: { 'application/json': infer Body } } } };
}
  ? Body
  : never;

type GetQuery<Path extends keyof paths> = paths[Path] extends { get: { parameters: { query?: infer Query } } } ? NonNullable<Query> : never;

/**
 * The paths whose GET pages with `page_number`/`page_size` and answers a page of `items`: every list
 * operation, whichever of the two paging shapes it answers in.
 */
export type ListPath = {
  [Path in keyof paths]: 'page_number' extends keyof GetQuery<Path>
    ? Payload<GetJson<Path>> extends { items: unknown[] }
      ? Path
      : never
    : never;
}[keyof paths];

/** The item type of a list operation: `ListItem<'/simulations'>` is `Simulation`. */
export type ListItem<Path extends ListPath> = Payload<GetJson<Path>> extends { items: Array<infer Item> } ? Item : never;

/** The path parameters of a list operation under a record; `undefined` for the top-level lists. */
export type ListPathParams<Path extends ListPath> = paths[Path] extends { get: { parameters: { path: infer Params } } }
  ? [Params] extends [never | undefined]
    ? undefined
    : Params
  : undefined;

/** The filters of a list operation, without the paging parameters the paginator sets itself. */
export type ListFilters<Path extends ListPath> = Omit<GetQuery<Path>, 'page_number' | 'page_size'>;
