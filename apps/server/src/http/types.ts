import type { components, operations } from '@sims/api-types';
import type { JsonText } from '../storage/types.js';

/** Handler types derived from the generated spec types: a handler cannot answer what the spec does not declare. */
/**
 * The operations of the spec's `webhooks`: requests this server sends (to users' agents, and the
 * events to their webhook endpoints), answered by them, not by the server.
 */
type SentOperationId =
  | 'agentTurn'
  | 'simulationCompletedEvent'
  | 'simulationFailedEvent'
  | 'sessionCompletedEvent'
  | 'sessionCancelledEvent';

/** Operations the server answers. */
export type OperationId = Exclude<keyof operations, SentOperationId>;
type Op<O extends OperationId> = operations[O];

type JsonContent<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Defined<T> = [T] extends [never] ? Record<string, never> : [T] extends [undefined] ? Record<string, never> : NonNullable<T>;

type RequestBody<O extends OperationId> = Op<O> extends { requestBody: infer R } ? JsonContent<R> : undefined;
type Query<O extends OperationId> = Defined<Op<O>['parameters']['query']>;
type PathParams<O extends OperationId> = Defined<Op<O>['parameters']['path']>;

type Responses<O extends OperationId> = Op<O>['responses'];
export type GenerateEvent = components['schemas']['SimulationCaseGenerateEvent'];

/** What a handler answers: one of the success responses the spec declares for the operation. */
type Result<O extends OperationId> =
  | (200 extends keyof Responses<O>
      ? [JsonContent<Responses<O>[200]>] extends [never]
        ? { status: 200; ndjson: AsyncIterable<GenerateEvent> }
        : { status: 200; body: JsonContent<Responses<O>[200]> } | { status: 200; json: JsonText<JsonContent<Responses<O>[200]>> }
      : never)
  | (201 extends keyof Responses<O> ? { status: 201; body: JsonContent<Responses<O>[201]> } : never)
  | (204 extends keyof Responses<O> ? { status: 204 } : never);

export interface Context<O extends OperationId> {
  /** The workspace of the API key; empty for the unauthenticated health check. */
  workspace_id: string;
  body: RequestBody<O>;
  query: Query<O>;
  params: PathParams<O>;
  /** Aborted when the client goes away before the response is complete. */
  signal: AbortSignal;
}

export type Handler<O extends OperationId> = (context: Context<O>) => Promise<Result<O>>;
export type Handlers = { [O in OperationId]: Handler<O> };

/** Any handler's answer, as the route layer sends it. */
export type AnyResult =
  | { status: 200 | 201; body: unknown }
  | { status: 200; json: string }
  | { status: 200; ndjson: AsyncIterable<GenerateEvent> }
  | { status: 204 };
export type AnyHandler = (context: Context<OperationId>) => Promise<AnyResult>;
