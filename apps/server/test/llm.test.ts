import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRITERIA_SYSTEM_PROMPT, GENERATOR_SYSTEM_PROMPT, JUDGE_SYSTEM_PROMPT } from '@sims/engine';
import { apiClient, startTestServer, type TestServer } from './support/server.js';

/**
 * With an OpenAI-compatible model configured (SIMS_LLM_*), the server's engine judges
 * natural-language criteria and writes generated cases with it. A local test server plays the model.
 */
interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
}
const requests: ChatRequest[] = [];
const authorizations: Array<string | undefined> = [];
const model = createServer((request, response) => {
  let text = '';
  request.on('data', (chunk) => {
    text += chunk;
  });
  request.on('end', () => {
    const body = JSON.parse(text) as ChatRequest;
    requests.push(body);
    authorizations.push(request.headers.authorization);
    const system = body.messages[0]?.content ?? '';
    let content: string;
    if (system.includes('You are the model-backed agent')) {
      content = 'Hello from the model agent. How can I help?';
    } else if (system.startsWith(CRITERIA_SYSTEM_PROMPT.slice(0, 40))) {
      content = JSON.stringify({ criteria: ['The agent tells the caller the delivery day'] });
    } else if (system.startsWith(JUDGE_SYSTEM_PROMPT.slice(0, 40))) {
      content = JSON.stringify({ success: true, reasoning: 'The transcript shows the agent giving the delivery day (Thursday).' });
    } else if (system.startsWith(GENERATOR_SYSTEM_PROMPT.slice(0, 40)) && text.includes('Writes NUL')) {
      // A model answering U+0000 in its text (JSON allows it; the API refuses it in requests).
      content = JSON.stringify({
        name: 'Null\u0000case',
        prompt: 'You\u0000ask.',
        success_criteria: ['A\u0000B'],
        call_success_type: 'all',
      });
    } else if (system.startsWith(GENERATOR_SYSTEM_PROMPT.slice(0, 40))) {
      content = `\`\`\`json\n${JSON.stringify({ name: 'LLM-written case', prompt: 'You ask where order 12345 is.', success_criteria: ['The agent gives the status'], call_success_type: 'all' })}\n\`\`\``;
    } else {
      content = 'Hi. Where is my order 12345? [END_CALL]';
    }
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content } }] }));
  });
});

let server: TestServer;
beforeAll(async () => {
  await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
  const llm = { base_url: `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`, model: 'test-model', api_key: 'sk-test' };
  server = await startTestServer({ engineConfig: { allowPrivateNetworks: true, llm: { persona: llm, judge: llm, generator: llm } } });
});
afterAll(async () => {
  await server.stop();
  model.closeAllConnections();
  await new Promise((resolve) => model.close(resolve));
});

describe('with an LLM configured', () => {
  it('drafts the criteria of an imported call with the generator model when none are given', async () => {
    const api = apiClient(server.url, server.key);
    const agentId = (await api.POST('/agents', { body: { name: 'Shop', prompt: 'p' } })).data!.response.id;
    const suiteId = (await api.POST('/simulation_suites', { body: { name: 'Imports', model_id: agentId } })).data!.response.id;
    const imported = await api.POST('/simulation_cases/import', {
      body: { suite_id: suiteId, conversation: 'Agent: Hello, Acme.\nCaller: Where is order 12345?\nAgent: It arrives Thursday.' },
    });
    expect(imported.response.status).toBe(201);
    expect(imported.data!.response.import.criteria_source).toBe('drafted');
    expect(imported.data!.response.simulation_case.success_criteria).toEqual(['The agent tells the caller the delivery day']);
    const drafted = requests.find((r) => r.messages[0]!.content.startsWith(CRITERIA_SYSTEM_PROMPT.slice(0, 40)))!;
    expect(drafted.messages.at(-1)!.content).toContain('Where is order 12345?');
  });

  it('judges natural-language criteria with the model (verdict and its reasoning) next to exact checks', async () => {
    const api = apiClient(server.url, server.key);
    const agentId = (await api.POST('/agents', { body: { name: 'Shop', prompt: 'p' } })).data!.response.id;
    const created = (
      await api.POST('/simulation_cases', {
        body: {
          name: 'Judged',
          prompt: 'Order status',
          success_criteria: ['The agent gives the delivery day'],
          call_success_type: 'all',
          caller_turns: ['Where is order 12345?', 'Bye. [END_CALL]'],
          checks: [{ kind: 'tool_called', name: 'lookup_order' }],
        },
      })
    ).data!.response.simulation_case;
    let s = (await api.POST('/simulations', { body: { simulation_case_id: created.simulation_case_id, target_agent_id: agentId } })).data!
      .response;
    for (let i = 0; i < 2000 && s.status === 'in-progress'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 15));
      s = (await api.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: s.simulation_id } } })).data!.response;
    }
    expect(s.success_criteria_analysis).toEqual({
      success: true,
      evaluations: [
        {
          success: true,
          verdict: 'passed',
          criterion: 'The agent gives the delivery day',
          reasoning: 'The transcript shows the agent giving the delivery day (Thursday).',
        },
        expect.objectContaining({ success: true, verdict: 'passed' }),
      ],
    });
    const judged = requests.find((r) => r.messages[0]!.content.startsWith(JUDGE_SYSTEM_PROMPT.slice(0, 40)))!;
    expect(judged.model).toBe('test-model');
    expect(judged.messages.at(-1)!.content).toContain('Where is order 12345?');
  });

  it('runs an openai agent against the LLM caller (no caller_turns)', async () => {
    const api = apiClient(server.url, server.key);
    const base_url = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`;
    const agentId = (
      await api.POST('/agents', {
        body: {
          name: 'Model agent',
          prompt: 'You are the model-backed agent of {{shop}}.',
          connector: { kind: 'openai', base_url, model: 'agent-model', api_key: 'sk-agent' },
        },
      })
    ).data!.response.id;
    const created = (
      await api.POST('/simulation_cases', {
        body: {
          name: 'LLM caller',
          prompt: 'You want to know where order 12345 is.',
          success_criteria: ['The agent greets'],
          call_success_type: 'all',
          checks: [{ kind: 'ended_by', side: 'persona' }],
        },
      })
    ).data!.response.simulation_case;
    let s = (
      await api.POST('/simulations', {
        body: { simulation_case_id: created.simulation_case_id, target_agent_id: agentId, custom_variables: { shop: 'Northwind' } },
      })
    ).data!.response;
    for (let i = 0; i < 2000 && s.status === 'in-progress'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 15));
      s = (await api.GET('/simulations/{simulation_id}', { params: { path: { simulation_id: s.simulation_id } } })).data!.response;
    }
    expect(s.status).toBe('completed');
    expect(s.timeline!.filter((t) => t.type === 'message').map((t) => [t.sender_type, t.value])).toEqual([
      ['agent', 'Hello from the model agent. How can I help?'],
      ['persona', 'Hi. Where is my order 12345?'],
    ]);
    expect(s.success_criteria_analysis!.evaluations.map((e) => e.verdict)).toEqual(['passed', 'passed']);
    const agentCall = requests.findIndex((r) => r.model === 'agent-model');
    expect(requests[agentCall]!.messages[0]!.content).toContain('You are the model-backed agent of Northwind.');
    expect(authorizations[agentCall]).toBe('Bearer sk-agent');
  });

  it('writes generated cases with the model and streams them', async () => {
    const api = apiClient(server.url, server.key);
    const agentId = (await api.POST('/agents', { body: { name: 'Shop', prompt: 'You handle orders.' } })).data!.response.id;
    const response = await fetch(`${server.url}/simulation_cases/generate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ agent_id: agentId, include_tests: ['task_completion', 'angry_user'], scenario_ids: [] }),
    });
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const cases = lines.filter((l) => l.type === 'case');
    expect(cases.map((c) => c.simulation_case.name)).toEqual(['LLM-written case', 'LLM-written case']);
    expect(cases[0].simulation_case).toMatchObject({
      prompt: 'You ask where order 12345 is.',
      success_criteria: ['The agent gives the status'],
      checks: [],
      caller_turns: [],
    });
    expect(lines.at(-1)).toMatchObject({ type: 'done' });
  });

  it('writes U+FFFD for a U+0000 the model wrote, so that the generated case is stored and can be sent back as it reads', async () => {
    const api = apiClient(server.url, server.key);
    const agentId = (await api.POST('/agents', { body: { name: 'Nul', prompt: 'Writes NUL characters.' } })).data!.response.id;
    const response = await fetch(`${server.url}/simulation_cases/generate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ agent_id: agentId, include_tests: ['task_completion'], scenario_ids: [] }),
    });
    const generated = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((l) => l.type === 'case').simulation_case;
    expect(generated).toMatchObject({ name: 'Null\uFFFDcase', prompt: 'You\uFFFDask.', success_criteria: ['A\uFFFDB'] });
    const id = generated.simulation_case_id;
    const read = (await api.GET('/simulation_cases/{simulation_case_id}', { params: { path: { simulation_case_id: id } } })).data!.response;
    expect(read.name).toBe('Null\uFFFDcase');
    const { name, prompt, success_criteria, call_success_type } = read;
    const updated = await api.PUT('/simulation_cases/{simulation_case_id}', {
      params: { path: { simulation_case_id: id } },
      body: { name, prompt, success_criteria, call_success_type },
    });
    expect(updated.response.status).toBe(200);
  });
});
