import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentRecord, ok, page, renderApp, signInAs, stubFetch } from '../support/app.js';

const AGENT_ID = '3f1c2b9e-6a4d-4c1e-9b7a-2d5e8f0a1b2c';
const SECRET = 'whsec_c2VjcmV0LXNpZ25pbmcta2V5';

afterEach(() => {
  vi.unstubAllGlobals();
});

function type(label: RegExp | string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('agents list', () => {
  it('shows name, connector kind and updated date, each name linking to the agent', async () => {
    signInAs('sk_test');
    const api = stubFetch((request) =>
      request.path === '/agents'
        ? page([
            agentRecord(),
            agentRecord({
              id: 'a2',
              name: 'Hotline',
              connector: { kind: 'http', url: 'https://x.test/turn', header_names: [], timeout_ms: null },
            }),
          ])
        : undefined,
    );
    renderApp('/agents');
    const link = await screen.findByRole('link', { name: 'Hotline' });
    expect(link.getAttribute('href')).toBe('/agents/a2');
    expect(document.title).toBe('Agents · Test Center');
    expect(screen.getByRole('cell', { name: 'HTTP webhook' })).toBeTruthy();
    expect(screen.getByRole('cell', { name: 'Builtin' })).toBeTruthy();
    expect(document.querySelectorAll('time').length).toBe(2);
    expect(api.sent('GET', '/agents')[0]?.query.get('page_size')).toBe('20');
  });

  it('says so when there are none, with a way to create one', async () => {
    signInAs('sk_test');
    stubFetch(() => undefined);
    renderApp('/agents');
    await screen.findByText('No agents yet');
    expect(screen.getByRole('link', { name: 'Create an agent' }).getAttribute('href')).toBe('/agents/new');
  });
});

describe('creating an agent', () => {
  it('sends the http connector with url, headers and time-out, then shows the signing secret once', async () => {
    signInAs('sk_test');
    const api = stubFetch((request) =>
      request.method === 'POST' && request.path === '/agents'
        ? ok({ ...agentRecord({ name: 'My agent' }), signing_secret: SECRET })
        : undefined,
    );
    renderApp('/agents/new');
    await screen.findByRole('heading', { name: 'New agent' });
    type(/^Name/, 'My agent');
    type(/^Prompt/, 'Be helpful.');
    type(/How the engine reaches the agent/, 'http');
    type(/^Webhook URL/, 'https://agent.example.com/turn');
    fireEvent.click(screen.getByRole('button', { name: 'Add header' }));
    type('Header 1 name', 'Authorization');
    type('Header 1 value', 'Bearer agent-token');
    type(/^Time-out/, '5000');
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));

    await screen.findByRole('heading', { name: 'Signing secret' });
    expect(screen.getByText(SECRET)).toBeTruthy();
    expect(api.sent('POST', '/agents')[0]?.body).toEqual({
      name: 'My agent',
      prompt: 'Be helpful.',
      agent_type: 'inbound',
      connector: {
        kind: 'http',
        url: 'https://agent.example.com/turn',
        headers: { Authorization: 'Bearer agent-token' },
        timeout_ms: 5000,
      },
    });
    expect(screen.getByRole('link', { name: 'Go to the agent' }).getAttribute('href')).toBe(`/agents/${AGENT_ID}`);
  });

  it('sends the openai connector with model, key, tools JSON and tool rounds', async () => {
    signInAs('sk_test');
    const api = stubFetch((request) => (request.method === 'POST' && request.path === '/agents' ? ok(agentRecord()) : undefined));
    renderApp('/agents/new');
    await screen.findByRole('heading', { name: 'New agent' });
    type(/^Name/, 'GPT agent');
    type(/^Prompt/, 'Answer.');
    type(/How the engine reaches the agent/, 'openai');
    type(/^Base URL/, 'https://llm.example.com/v1');
    type(/^Model/, 'small-model');
    type(/^API key/, 'sk-model-key');
    type(/^Tools \(JSON\)/, '[{"name": "lookup_order", "parameters": {"type": "object"}}]');
    type(/^Most tool rounds/, '2');
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    await waitFor(() => expect(api.sent('POST', '/agents')).toHaveLength(1));
    expect(api.sent('POST', '/agents')[0]?.body).toEqual({
      name: 'GPT agent',
      prompt: 'Answer.',
      agent_type: 'inbound',
      connector: {
        kind: 'openai',
        base_url: 'https://llm.example.com/v1',
        model: 'small-model',
        api_key: 'sk-model-key',
        tools: [{ name: 'lookup_order', parameters: { type: 'object' } }],
        max_tool_rounds: 2,
      },
    });
  });

  it('checks the form before sending: required fields and the tools JSON', async () => {
    signInAs('sk_test');
    const api = stubFetch(() => undefined);
    renderApp('/agents/new');
    await screen.findByRole('heading', { name: 'New agent' });
    type(/How the engine reaches the agent/, 'openai');
    type(/^Tools \(JSON\)/, '{not json');
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    await screen.findByText('Enter a name.');
    expect(screen.getByText(/^Not valid JSON/)).toBeTruthy();
    expect(screen.getByText('Enter the model name.')).toBeTruthy();
    expect(screen.getByLabelText(/^Name/).getAttribute('aria-invalid')).toBe('true');
    expect(api.sent('POST', '/agents')).toHaveLength(0);
  });

  it('shows the API’s field errors next to their inputs', async () => {
    signInAs('sk_test');
    stubFetch((request) =>
      request.method === 'POST'
        ? {
            status: 422,
            body: {
              status: 'error',
              error: {
                code: 'validation_failed',
                message: 'The request is not valid.',
                details: [{ location: 'body', field: '/connector/url', message: 'private addresses are not allowed' }],
                request_id: 'req_1',
              },
            },
          }
        : undefined,
    );
    renderApp('/agents/new');
    await screen.findByRole('heading', { name: 'New agent' });
    type(/^Name/, 'A');
    type(/^Prompt/, 'B');
    type(/How the engine reaches the agent/, 'http');
    type(/^Webhook URL/, 'http://10.0.0.1/turn');
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    const input = screen.getByLabelText(/^Webhook URL/);
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getAllByText('private addresses are not allowed').length).toBeGreaterThan(0);
  });
});

describe('editing an agent', () => {
  const openaiAgent = agentRecord({
    name: 'GPT agent',
    connector: {
      kind: 'openai',
      base_url: 'https://llm.example.com/v1',
      model: 'small-model',
      api_key_set: true,
      timeout_ms: null,
      tools: [],
      max_tool_rounds: 3,
    },
  });

  it('shows secrets only as set, and leaves the connector out of the update unless it is changed', async () => {
    signInAs('sk_test');
    let stored = openaiAgent;
    const api = stubFetch((request) => {
      if (request.path !== `/agents/${AGENT_ID}`) return undefined;
      if (request.method === 'PUT') stored = { ...openaiAgent, name: 'Renamed', updated_at: '2026-11-30T12:00:00Z' };
      return request.method === 'GET' || request.method === 'PUT' ? ok(stored) : undefined;
    });
    renderApp(`/agents/${AGENT_ID}`);
    await screen.findByRole('heading', { name: 'GPT agent' });
    const connector = screen.getByRole('region', { name: 'Connector' });
    expect(within(connector).getByText('API key').nextElementSibling?.textContent).toBe('set');
    // No password input at all until the user asks to change the connector.
    expect(document.querySelectorAll('input[type="password"]')).toHaveLength(0);

    type(/^Name/, 'Renamed');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await screen.findByRole('heading', { name: 'Renamed' });
    expect(api.sent('PUT', `/agents/${AGENT_ID}`)[0]?.body).toEqual({
      name: 'Renamed',
      prompt: openaiAgent.prompt,
      agent_type: 'inbound',
      avatar_url: null,
      phone_number: null,
    });
  });

  it('never pre-fills a secret when the connector is changed, and asks for the key again rather than dropping it', async () => {
    signInAs('sk_test');
    const api = stubFetch((request) => {
      if (request.path !== `/agents/${AGENT_ID}`) return undefined;
      if (request.method === 'GET') return ok(openaiAgent);
      if (request.method === 'PUT') return ok(openaiAgent);
      return undefined;
    });
    renderApp(`/agents/${AGENT_ID}`);
    await screen.findByRole('heading', { name: 'GPT agent' });
    fireEvent.click(screen.getByRole('button', { name: 'Change connector' }));
    const key = screen.getByLabelText(/^API key/) as HTMLInputElement;
    expect(key.type).toBe('password');
    expect(key.value).toBe('');
    expect((screen.getByLabelText(/^Model/) as HTMLInputElement).value).toBe('small-model');

    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await screen.findByText(/Enter the API key again to keep one/);
    expect(api.sent('PUT', `/agents/${AGENT_ID}`)).toHaveLength(0);

    type(/^API key/, 'sk-new-key');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(api.sent('PUT', `/agents/${AGENT_ID}`)).toHaveLength(1));
    expect(api.sent('PUT', `/agents/${AGENT_ID}`)[0]?.body).toMatchObject({
      connector: {
        kind: 'openai',
        base_url: 'https://llm.example.com/v1',
        model: 'small-model',
        api_key: 'sk-new-key',
        max_tool_rounds: 3,
      },
    });
  });

  it('lists an http agent’s header names with empty value inputs', async () => {
    signInAs('sk_test');
    stubFetch((request) =>
      request.method === 'GET' && request.path === `/agents/${AGENT_ID}`
        ? ok(
            agentRecord({
              connector: { kind: 'http', url: 'https://agent.example.com/turn', header_names: ['Authorization'], timeout_ms: 2000 },
            }),
          )
        : undefined,
    );
    renderApp(`/agents/${AGENT_ID}`);
    await screen.findByText('Authorization: set');
    fireEvent.click(screen.getByRole('button', { name: 'Change connector' }));
    expect((screen.getByLabelText('Header 1 name') as HTMLInputElement).value).toBe('Authorization');
    expect((screen.getByLabelText('Header 1 value') as HTMLInputElement).value).toBe('');
  });

  it('rotates the signing secret and shows the new one', async () => {
    signInAs('sk_test');
    const api = stubFetch((request) => {
      if (request.method === 'GET' && request.path === `/agents/${AGENT_ID}`) return ok(agentRecord());
      if (request.method === 'POST' && request.path === `/agents/${AGENT_ID}/rotate_signing_secret`)
        return ok({ agent_id: AGENT_ID, signing_secret: SECRET });
      return undefined;
    });
    renderApp(`/agents/${AGENT_ID}`);
    fireEvent.click(await screen.findByRole('button', { name: 'Rotate signing secret' }));
    await screen.findByText(SECRET);
    expect(api.sent('POST', `/agents/${AGENT_ID}/rotate_signing_secret`)).toHaveLength(1);
  });

  it('deletes only after confirmation, then goes back to the list', async () => {
    signInAs('sk_test');
    const api = stubFetch((request) => {
      if (request.path !== `/agents/${AGENT_ID}`) return undefined;
      if (request.method === 'GET') return ok(agentRecord());
      if (request.method === 'DELETE') return { status: 204 };
      return undefined;
    });
    renderApp(`/agents/${AGENT_ID}`);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete agent' }));
    expect(api.sent('DELETE', `/agents/${AGENT_ID}`)).toHaveLength(0);
    const confirm = screen.getByRole('button', { name: 'Delete for good' });
    expect(document.activeElement).toBe(confirm);
    fireEvent.click(confirm);
    await waitFor(() => expect(window.location.pathname).toBe('/agents'));
    expect(api.sent('DELETE', `/agents/${AGENT_ID}`)).toHaveLength(1);
  });
});
