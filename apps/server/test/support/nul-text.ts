import { expect } from 'vitest';
import { raw } from './server.js';
import { responseProblems } from './strict-spec.js';
import { startWebhookAgent } from './webhook-agent.js';

/**
 * Requests holding U+0000 (NUL) and the answers they must get, the same on SQLite
 * (test/nul-text.test.ts) and on PostgreSQL (test/postgres-nul-text.test.ts); and a run whose agent
 * answers a NUL.
 */
interface Target {
  url: string;
  key: string;
}

export interface NulRequest {
  what: string;
  operationId: string;
  method: string;
  url: string;
  /** JSON text as sent (`\u0000` written as JSON's six-character escape). */
  body?: string;
  status: number;
  code: string;
  /** The `details[]` expected, as `location field` (a field holding a NUL spelled `\u0000`). */
  details?: string[];
}

const validCase = { name: 'x', prompt: 'y', success_criteria: ['z'], call_success_type: 'all' };
/** JSON text of `value` with each `@` written as JSON's escape of U+0000. */
const withNul = (value: unknown) => JSON.stringify(value).replaceAll('@', '\\u0000');

/** Requests holding a NUL, for any server with the seeded `ids`; shared with the PostgreSQL test. */
export function nulRequests(ids: { agentId: string; caseIds: string[] }): NulRequest[] {
  // biome-ignore format: one line per request keeps the table readable as a table
  return [
    { what: "an agent's name", operationId: 'createAgent', method: 'POST', url: '/agents', body: withNul({ name: 'A@B', prompt: 'p' }), status: 422, code: 'validation_failed', details: ['body /name'] },
    { what: "an agent's phone_number", operationId: 'createAgent', method: 'POST', url: '/agents', body: withNul({ name: 'A', prompt: 'p', phone_number: '+1@' }), status: 422, code: 'validation_failed', details: ['body /phone_number'] },
    { what: "a case's prompt and a criterion", operationId: 'createSimulationCase', method: 'POST', url: '/simulation_cases', body: withNul({ ...validCase, prompt: '@', success_criteria: ['ok', 'a@'] }), status: 422, code: 'validation_failed', details: ['body /prompt', 'body /success_criteria/1'] },
    { what: 'a key of custom_variables', operationId: 'startSimulation', method: 'POST', url: '/simulations', body: withNul({ simulation_case_id: ids.caseIds[0], target_agent_id: ids.agentId, custom_variables: { 'a@': 1 } }), status: 422, code: 'validation_failed', details: ['body /custom_variables/a\u0000'] },
    { what: "a case's name on update", operationId: 'updateSimulationCase', method: 'PUT', url: `/simulation_cases/${ids.caseIds[0]}`, body: withNul({ name: '@' }), status: 422, code: 'validation_failed', details: ['body /name'] },
    { what: 'a search term', operationId: 'listAgents', method: 'GET', url: '/agents?search=a%00b', status: 422, code: 'validation_failed', details: ['query search'] },
    { what: 'a case search term', operationId: 'listSimulationCases', method: 'GET', url: '/simulation_cases?search=%00', status: 422, code: 'validation_failed', details: ['query search'] },
    { what: 'an id filter', operationId: 'listSimulationCasesByAgent', method: 'GET', url: `/simulation_cases/by_agent?agent_id=${ids.agentId}%00`, status: 422, code: 'validation_failed', details: ['query agent_id'] },
    { what: 'a repeated array parameter', operationId: 'listSimulationSuites', method: 'GET', url: '/simulation_suites?model_ids=a&model_ids=%00&model_ids=b%00', status: 422, code: 'validation_failed', details: ['query model_ids'] },
    { what: 'a query parameter the operation does not know', operationId: 'listAgents', method: 'GET', url: '/agents?x%00=1', status: 422, code: 'validation_failed', details: ['query x\u0000'] },
    { what: 'a case id in the path', operationId: 'getSimulationCase', method: 'GET', url: `/simulation_cases/${ids.caseIds[0]}%00`, status: 404, code: 'not_found' },
    { what: 'an agent id in the path', operationId: 'getAgent', method: 'GET', url: '/agents/%00', status: 404, code: 'not_found' },
    { what: 'an id to delete', operationId: 'deleteAgent', method: 'DELETE', url: `/agents/${ids.agentId}%00`, status: 404, code: 'not_found' },
  ];
}

/** Sends each request and checks its answer against the spec; answers the `location field` of each detail. */
export async function expectNulAnswers(server: Target, requests: NulRequest[]) {
  for (const request of requests) {
    const { status, json } = await raw(server.url + request.url, { method: request.method, key: server.key, body: request.body });
    expect(status, request.what).toBe(request.status);
    expect(json.error.code, request.what).toBe(request.code);
    expect(responseProblems(request.operationId, status, json), request.what).toEqual([]);
    const details = (json.error.details ?? []).map((d: { location: string; field: string }) => `${d.location} ${d.field}`);
    expect(details, request.what).toEqual(request.details ?? []);
    // Answered before the storage is asked, by the check for NUL, not by a look-up that found nothing.
    if (status === 404) expect(json.error.message, request.what).toContain('U+0000');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a case against an http agent (on loopback: the server must allow private networks) that
 * answers text holding a NUL, and checks that the run completes with the reply in its timeline as
 * the agent sent it; answers the run as read.
 */
export async function expectNulReplyKept(server: Target) {
  const reply = 'Hello\u0000there';
  const hook = await startWebhookAgent((turn) => ({ json: { reply, end_call: turn.conversation.length >= 2 } }));
  try {
    const post = async (path: string, body: unknown) => {
      const answer = await raw(server.url + path, { method: 'POST', key: server.key, body: JSON.stringify(body) });
      expect(answer.status, path).toBe(200);
      return answer.json.response;
    };
    const agent = await post('/agents', { name: 'Replies NUL', prompt: 'p', connector: { kind: 'http', url: hook.url, timeout_ms: 5000 } });
    const created = await post('/simulation_cases', {
      ...validCase,
      prompt: 'Ask',
      caller_turns: ['Hi?'],
      checks: [{ kind: 'contains', text: 'there' }],
    });
    const started = await post('/simulations', {
      simulation_case_id: created.simulation_case.simulation_case_id,
      target_agent_id: agent.id,
    });
    let run: {
      simulation_id: string;
      status: string;
      timeline?: Array<{ sender_type: string | null; type?: string | null; value: string | null }>;
    } = started;
    for (let i = 0; i < 2000 && run.status === 'in-progress'; i += 1) {
      await sleep(15);
      run = (await raw(`${server.url}/simulations/${started.simulation_id}`, { key: server.key })).json.response;
    }
    expect(run.status).toBe('completed');
    expect(run.timeline?.filter((item) => item.sender_type === 'agent').map((item) => item.value)).toContain(reply);
    return run;
  } finally {
    await hook.stop();
  }
}
