import { describe, expectTypeOf, it } from 'vitest';
import {
  createSimulationsClient,
  isAlreadyFinished,
  unwrap,
  type RunSuiteCancel,
  type ListItem,
  type ListPath,
  type Page,
  type ModelUsage,
  type ReplayDivergence,
  type Schemas,
  type Simulation,
  type SimulationsApiError,
  type SimulationUsage,
} from '../../src/index.js';

// Checked by tsc (vitest typecheck and the package's `typecheck` script): an expectation that stops
// holding, or a `@ts-expect-error` above a line that compiles, fails the build.

const client = createSimulationsClient({ apiKey: 'k', region: 'eu' });

describe('client options', () => {
  it('takes a region or a base URL, not both, and only known regions', () => {
    createSimulationsClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:4010' });
    // @ts-expect-error: not a region
    createSimulationsClient({ apiKey: 'k', region: 'asia' });
    // @ts-expect-error: baseUrl and region together
    createSimulationsClient({ apiKey: 'k', region: 'us', baseUrl: 'http://x' });
    // @ts-expect-error: apiKey is required
    createSimulationsClient({ region: 'us' });
  });
});

describe('paths, parameters and bodies', () => {
  it('rejects a path that is not in the spec, or a method the path does not have', () => {
    // @ts-expect-error: no such path
    void client.GET('/simulation');
    // @ts-expect-error: the v2 prefix belongs to the base URL, not to paths
    void client.GET('/v2/simulations');
    // @ts-expect-error: sessions cannot be deleted
    void client.DELETE('/simulations/session/{simulation_session_id}', { params: { path: { simulation_session_id: 's' } } });
  });

  it('rejects a missing path parameter', () => {
    // @ts-expect-error: params.path.simulation_id is required
    void client.GET('/simulations/{simulation_id}');
    // @ts-expect-error: wrong path parameter name
    void client.GET('/simulations/{simulation_id}', { params: { path: { id: 'x' } } });
  });

  it('rejects a body missing a required field', () => {
    void client.POST('/simulation_scenarios', { body: { name: 'n', description: 'd' } });
    // @ts-expect-error: description is required
    void client.POST('/simulation_scenarios', { body: { name: 'n' } });
    // @ts-expect-error: the body is required
    void client.POST('/simulations', {});
  });

  it('rejects a wrong enum value', () => {
    // biome-ignore format: @ts-expect-error covers one line only
    // @ts-expect-error: call_success_type is all | any
    void client.PUT('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: 'c' } }, body: { call_success_type: 'most' } });
    // @ts-expect-error: no status queued
    void client.GET('/simulations', { params: { query: { status: 'queued' } } });
    // @ts-expect-error: no test category happiness
    void client.POST('/simulation_cases/generate', { body: { agent_id: 'a', include_tests: ['happiness'] } });
  });

  it('rejects a query parameter of the wrong type, or a missing required one', () => {
    void client.GET('/simulations', { params: { query: { page_size: 10, page_number: 2 } } });
    // @ts-expect-error: page_size is a number
    void client.GET('/simulations', { params: { query: { page_size: '10' } } });
    // @ts-expect-error: model_ids is an array
    void client.GET('/simulation_suites', { params: { query: { model_ids: 'a' } } });
    // @ts-expect-error: target_agent_id is required to execute a suite
    void client.POST('/simulation_suites/{suite_id}/execute', { params: { path: { suite_id: 's' }, query: {} } });
    // @ts-expect-error: agent_id is required
    void client.GET('/simulation_cases/by_agent');
  });
});

describe('results', () => {
  it('types data and error of the openapi-fetch result', async () => {
    const { data, error } = await client.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: 's' } } });
    expectTypeOf(data).toEqualTypeOf<Schemas['SimulationResponse'] | undefined>();
    expectTypeOf(error).toEqualTypeOf<Schemas['Error'] | undefined>();
  });

  it('unwrap returns the payload of the envelope, the un-wrapped body, or undefined', async () => {
    expectTypeOf(await unwrap(client.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: 's' } } }))).toEqualTypeOf<
      Schemas['SimulationReadOut']
    >();
    expectTypeOf(
      await unwrap(
        client.POST('/simulation_suites/{suite_id}/execute', { params: { path: { suite_id: 's' }, query: { target_agent_id: 'a' } } }),
      ),
    ).toEqualTypeOf<Schemas['SimulationSuiteExecuteOut']>();
    expectTypeOf(await unwrap(client.GET('/simulation_cases/by_agent', { params: { query: { agent_id: 'a' } } }))).toEqualTypeOf<
      Schemas['SimulationCaseReadOut'][]
    >();
    expectTypeOf(
      await unwrap(client.DELETE('/simulation_suites/{suite_id}', { params: { path: { suite_id: 's' } } })),
    ).toEqualTypeOf<undefined>();
  });

  it('the error class carries typed fields', () => {
    expectTypeOf<SimulationsApiError['status']>().toEqualTypeOf<number>();
    expectTypeOf<SimulationsApiError['details']>().toEqualTypeOf<readonly Schemas['FieldError'][]>();
    expectTypeOf<SimulationsApiError['requestId']>().toEqualTypeOf<string | undefined>();
  });
});

describe('helpers', () => {
  it('paginate accepts exactly the list operations, with their items and filters', () => {
    expectTypeOf<ListPath>().toEqualTypeOf<
      | '/simulation_cases'
      | '/simulation_suites'
      | '/simulation_scenarios'
      | '/simulations'
      | '/simulations/sessions'
      | '/agents'
      | '/webhook_endpoints'
      | '/webhook_endpoints/{endpoint_id}/deliveries'
    >();
    expectTypeOf<ListItem<'/simulation_scenarios'>>().toEqualTypeOf<Schemas['SimulationScenarioReadOut']>();
    expectTypeOf(client.paginate('/simulations/sessions')).toMatchTypeOf<AsyncIterable<Page<Schemas['SimulationSessionReadOut']>>>();
    client.paginate('/simulations', { query: { status: 'failed' } });
    // @ts-expect-error: not a list operation
    client.paginate('/simulation_cases/by_agent');
    // @ts-expect-error: a filter of another list
    client.paginate('/simulations', { query: { search: 'x' } });
    // @ts-expect-error: the paginator sets page_number itself
    client.paginate('/simulations', { query: { page_number: 2 } });
    // @ts-expect-error: a wrong enum value in a filter
    client.paginate('/simulations', { query: { status: 'queued' } });
  });

  it('wait helpers and runSuite resolve to typed results', () => {
    expectTypeOf(client.waitForSimulation('s')).resolves.toEqualTypeOf<Schemas['SimulationReadOut']>();
    expectTypeOf(client.waitForSession('s')).resolves.toEqualTypeOf<Schemas['SimulationSessionReadOut']>();
    const run = client.runSuite('s', { targetAgentId: 'a', iterations: 3, baseline: 'last' });
    expectTypeOf(run).resolves.toEqualTypeOf<
      Schemas['SimulationSessionReadOut'] & {
        report: Schemas['SimulationSessionReport'] | null;
        comparison: Schemas['SimulationSessionComparison'] | null;
      }
    >();
    // Today's fields are all still there: a runSuite result is a session.
    expectTypeOf(run).resolves.toMatchTypeOf<Schemas['SimulationSessionReadOut']>();
    // The session's summed usage, and each simulation's own (null until it finishes) with its divergence.
    expectTypeOf(run).resolves.toHaveProperty('usage').toEqualTypeOf<SimulationUsage | undefined>();
    expectTypeOf<Simulation['usage']>().toEqualTypeOf<SimulationUsage | null | undefined>();
    expectTypeOf<Simulation['divergence']>().toEqualTypeOf<ReplayDivergence | null | undefined>();
    expectTypeOf<SimulationUsage['judge']>().toEqualTypeOf<ModelUsage>();
    void client.runSuite('s', { targetAgentId: 'a', baseline: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d' });
    // @ts-expect-error: targetAgentId is required
    void client.runSuite('s', { maxTurns: 10 });
    // @ts-expect-error: iterations is a number
    void client.runSuite('s', { targetAgentId: 'a', iterations: '3' });
  });

  it('sessionReport and compareSessions resolve to the report and the comparison', () => {
    expectTypeOf(client.sessionReport('s')).resolves.toEqualTypeOf<Schemas['SimulationSessionReport']>();
    expectTypeOf(client.compareSessions('s', { baseline: 'last' })).resolves.toEqualTypeOf<Schemas['SimulationSessionComparison']>();
    void client.compareSessions('s');
    // @ts-expect-error: the baseline is a session id or `last`, not a number
    void client.compareSessions('s', { baseline: 2 });
    // @ts-expect-error: the session id is required
    void client.sessionReport();
  });

  it('cancelSimulation and cancelSession resolve to the simulation and the cancel answer; runSuite takes the cancel options', () => {
    expectTypeOf(client.cancelSimulation('s')).resolves.toEqualTypeOf<Schemas['SimulationReadOut']>();
    expectTypeOf(client.cancelSession('s', { signal: AbortSignal.timeout(5_000) })).resolves.toEqualTypeOf<
      Schemas['SimulationSessionCancelOut']
    >();
    // @ts-expect-error: the session id is required
    void client.cancelSession();
    // @ts-expect-error: a simulation id is a string
    void client.cancelSimulation(42);

    void client.runSuite('s', {
      targetAgentId: 'a',
      cancelOnAbort: false,
      cancelTimeoutMs: 2_000,
      onCancel: (outcome) => {
        expectTypeOf(outcome).toEqualTypeOf<RunSuiteCancel>();
        expectTypeOf(outcome.sessionId).toBeString();
        if ('cancelled' in outcome) expectTypeOf(outcome.cancelled.cancelled_simulations).toBeNumber();
        else expectTypeOf(outcome.error).toBeUnknown();
      },
    });
    // @ts-expect-error: cancelOnAbort is a boolean
    void client.runSuite('s', { targetAgentId: 'a', cancelOnAbort: 'no' });

    const error: unknown = new Error('x');
    if (isAlreadyFinished(error)) expectTypeOf(error).toEqualTypeOf<SimulationsApiError>();
  });

  it('generateCases yields the union of stream events, narrowed by type', async () => {
    for await (const event of client.generateCases({ agent_id: 'a' })) {
      if (event.type === 'case') expectTypeOf(event.simulation_case).toEqualTypeOf<Schemas['SimulationCaseReadOut']>();
      if (event.type === 'done') expectTypeOf(event.simulation_case_ids).toEqualTypeOf<string[]>();
    }
    // @ts-expect-error: agent_id is required
    void client.generateCases({ suite_id: 's' });
  });
});
