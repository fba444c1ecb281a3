import type { components } from '@sims/client';

type Schemas = components['schemas'];
export type AgentConnector = Schemas['AgentConnector'];
type AgentConnectorIn = Schemas['AgentConnectorIn'];
export type ConnectorKind = AgentConnectorIn['kind'];

export interface HeaderDraft {
  name: string;
  value: string;
  /** The header is stored on the server (its value is write-only, so the input starts empty). */
  stored: boolean;
}

/**
 * What the connector inputs hold, as text. Secrets (header values, the API key) always start empty:
 * the API never answers them, and the form never pre-fills one.
 */
export interface ConnectorDraft {
  kind: ConnectorKind;
  latency_ms: string;
  url: string;
  headers: HeaderDraft[];
  base_url: string;
  model: string;
  api_key: string;
  /** Whether the agent being edited has an API key stored. */
  api_key_set: boolean;
  /** Sending the openai connector without its stored key (only when one is set). */
  remove_api_key: boolean;
  timeout_ms: string;
  tools: string;
  max_tool_rounds: string;
}

export const EMPTY_DRAFT: ConnectorDraft = {
  kind: 'builtin',
  latency_ms: '',
  url: '',
  headers: [],
  base_url: '',
  model: '',
  api_key: '',
  api_key_set: false,
  remove_api_key: false,
  timeout_ms: '',
  tools: '',
  max_tool_rounds: '',
};

/** The draft for an agent's current connector: its plain settings, its secrets empty. */
export function draftFromConnector(connector: AgentConnector | undefined): ConnectorDraft {
  if (connector === undefined) return EMPTY_DRAFT;
  switch (connector.kind) {
    case 'builtin':
      return { ...EMPTY_DRAFT, kind: 'builtin', latency_ms: connector.latency_ms === undefined ? '' : String(connector.latency_ms) };
    case 'http':
      return {
        ...EMPTY_DRAFT,
        kind: 'http',
        url: connector.url,
        headers: connector.header_names.map((name) => ({ name, value: '', stored: true })),
        timeout_ms: connector.timeout_ms === null ? '' : String(connector.timeout_ms),
      };
    case 'openai':
      return {
        ...EMPTY_DRAFT,
        kind: 'openai',
        base_url: connector.base_url,
        model: connector.model,
        api_key_set: connector.api_key_set,
        timeout_ms: connector.timeout_ms === null ? '' : String(connector.timeout_ms),
        tools: connector.tools.length > 0 ? JSON.stringify(connector.tools, null, 2) : '',
        max_tool_rounds: String(connector.max_tool_rounds),
      };
    default:
      return EMPTY_DRAFT;
  }
}

export type DraftErrors = Partial<
  Record<'latency_ms' | 'url' | 'headers' | 'base_url' | 'model' | 'api_key' | 'timeout_ms' | 'tools' | 'max_tool_rounds', string>
>;

export type DraftResult = { ok: true; connector: AgentConnectorIn } | { ok: false; errors: DraftErrors };

/** A whole number from an input, or undefined when empty; NaN when it is not one. */
function integer(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

function checkRange(errors: DraftErrors, key: keyof DraftErrors, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max))
    errors[key] = `Enter a whole number from ${min} to ${max}.`;
}

/**
 * The connector to send, checked for what the form can tell before the server does (required
 * fields, numbers, JSON). The server's own validation answers the rest (URL policy, tool names).
 */
export function connectorFromDraft(draft: ConnectorDraft): DraftResult {
  const errors: DraftErrors = {};
  const timeout = integer(draft.timeout_ms);
  switch (draft.kind) {
    case 'builtin': {
      const latency = integer(draft.latency_ms);
      checkRange(errors, 'latency_ms', latency, 0, 10_000);
      if (Object.keys(errors).length > 0) return { ok: false, errors };
      return { ok: true, connector: { kind: 'builtin', ...(latency === undefined ? {} : { latency_ms: latency }) } };
    }
    case 'http': {
      if (draft.url.trim() === '') errors.url = 'Enter the URL of the agent’s webhook.';
      checkRange(errors, 'timeout_ms', timeout, 100, 120_000);
      const headers: Record<string, string> = {};
      const seen = new Set<string>();
      for (const header of draft.headers) {
        const name = header.name.trim();
        if (name === '' && header.value === '') continue;
        if (!/^[A-Za-z0-9-]{1,100}$/.test(name)) errors.headers = 'Header names are letters, digits and hyphens.';
        else if (header.value === '')
          errors.headers = header.stored
            ? `Enter the value of ${name} again (the connector is replaced as a whole), or remove the header.`
            : `Enter a value for ${name}.`;
        else if (seen.has(name.toLowerCase())) errors.headers = `${name} is given twice.`;
        else {
          seen.add(name.toLowerCase());
          headers[name] = header.value;
        }
      }
      if (Object.keys(errors).length > 0) return { ok: false, errors };
      return {
        ok: true,
        connector: {
          kind: 'http',
          url: draft.url.trim(),
          ...(Object.keys(headers).length > 0 ? { headers } : {}),
          ...(timeout === undefined ? {} : { timeout_ms: timeout }),
        },
      };
    }
    case 'openai': {
      if (draft.base_url.trim() === '') errors.base_url = 'Enter the base URL (for example https://api.openai.com/v1).';
      if (draft.model.trim() === '') errors.model = 'Enter the model name.';
      if (draft.api_key === '' && draft.api_key_set && !draft.remove_api_key)
        errors.api_key = 'Enter the API key again to keep one (the connector is replaced as a whole), or choose to remove it.';
      checkRange(errors, 'timeout_ms', timeout, 100, 120_000);
      const rounds = integer(draft.max_tool_rounds);
      checkRange(errors, 'max_tool_rounds', rounds, 1, 10);
      let tools: Schemas['AgentTools'] | undefined;
      if (draft.tools.trim() !== '') {
        try {
          const parsed: unknown = JSON.parse(draft.tools);
          if (!Array.isArray(parsed)) errors.tools = 'Tools are a JSON array of {"name", "description", "parameters"} objects.';
          else tools = parsed as Schemas['AgentTools'];
        } catch (error) {
          errors.tools = `Not valid JSON: ${(error as Error).message}`;
        }
      }
      if (Object.keys(errors).length > 0) return { ok: false, errors };
      return {
        ok: true,
        connector: {
          kind: 'openai',
          base_url: draft.base_url.trim(),
          model: draft.model.trim(),
          ...(draft.api_key === '' ? {} : { api_key: draft.api_key }),
          ...(timeout === undefined ? {} : { timeout_ms: timeout }),
          ...(tools === undefined ? {} : { tools }),
          ...(rounds === undefined ? {} : { max_tool_rounds: rounds }),
        },
      };
    }
    default:
      return { ok: false, errors: {} };
  }
}
