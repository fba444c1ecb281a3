import { Button, Field } from '../../ui/index.js';
import type { ConnectorDraft, ConnectorKind, DraftErrors, HeaderDraft } from './connector-draft.js';

const KINDS: Array<{ value: ConnectorKind; label: string }> = [
  { value: 'builtin', label: 'Builtin (the shop support agent inside the server)' },
  { value: 'http', label: 'HTTP webhook (your agent, one request per turn)' },
  { value: 'openai', label: 'OpenAI-compatible chat completions' },
];

/** The inputs of one connector kind; secrets are write-only inputs that start empty. */
export function ConnectorFields({
  draft,
  errors,
  onChange,
}: {
  draft: ConnectorDraft;
  errors: DraftErrors;
  onChange: (draft: ConnectorDraft) => void;
}) {
  const set = <K extends keyof ConnectorDraft>(key: K, value: ConnectorDraft[K]) => onChange({ ...draft, [key]: value });
  const setHeader = (index: number, patch: Partial<HeaderDraft>) =>
    set(
      'headers',
      draft.headers.map((header, i) => (i === index ? { ...header, ...patch } : header)),
    );
  return (
    <fieldset>
      <legend>Connector</legend>
      <Field label="How the engine reaches the agent">
        <select value={draft.kind} onChange={(event) => set('kind', event.target.value as ConnectorKind)}>
          {KINDS.map((kind) => (
            <option key={kind.value} value={kind.value}>
              {kind.label}
            </option>
          ))}
        </select>
      </Field>

      {draft.kind === 'builtin' && (
        <Field label="Latency (ms)" hint="Delay before every answer, 0–10000; empty for none." error={errors.latency_ms}>
          <input inputMode="numeric" value={draft.latency_ms} onChange={(event) => set('latency_ms', event.target.value)} />
        </Field>
      )}

      {draft.kind === 'http' && (
        <>
          <Field label="Webhook URL" error={errors.url} required hint="Receives a POST with the conversation for every agent turn.">
            <input type="url" value={draft.url} onChange={(event) => set('url', event.target.value)} />
          </Field>
          <fieldset className="headers">
            <legend>Headers</legend>
            <p className="field-hint">Sent with every request (an Authorization header, for example). Values are write-only.</p>
            {draft.headers.map((header, index) => (
              <div className="header-row" key={index}>
                <Field label={`Header ${index + 1} name`}>
                  <input value={header.name} autoComplete="off" onChange={(event) => setHeader(index, { name: event.target.value })} />
                </Field>
                <Field label={`Header ${index + 1} value`} hint={header.stored ? 'Set — enter it again to keep it' : undefined}>
                  <input
                    type="password"
                    autoComplete="off"
                    value={header.value}
                    onChange={(event) => setHeader(index, { value: event.target.value })}
                  />
                </Field>
                <Button
                  onClick={() =>
                    set(
                      'headers',
                      draft.headers.filter((_, i) => i !== index),
                    )
                  }
                  aria-label={`Remove header ${header.name || index + 1}`}
                >
                  Remove
                </Button>
              </div>
            ))}
            {errors.headers && (
              <p className="field-error" role="alert">
                {errors.headers}
              </p>
            )}
            <div>
              <Button onClick={() => set('headers', [...draft.headers, { name: '', value: '', stored: false }])}>Add header</Button>
            </div>
          </fieldset>
          <Field label="Time-out (ms)" hint="Per request, 100–120000; empty for the default (10000)." error={errors.timeout_ms}>
            <input inputMode="numeric" value={draft.timeout_ms} onChange={(event) => set('timeout_ms', event.target.value)} />
          </Field>
        </>
      )}

      {draft.kind === 'openai' && (
        <>
          <Field label="Base URL" error={errors.base_url} required hint="For example https://api.openai.com/v1">
            <input type="url" value={draft.base_url} onChange={(event) => set('base_url', event.target.value)} />
          </Field>
          <Field label="Model" error={errors.model} required>
            <input value={draft.model} onChange={(event) => set('model', event.target.value)} />
          </Field>
          <Field
            label="API key"
            error={errors.api_key}
            hint={
              draft.api_key_set
                ? 'Set. Enter it again to keep it (write-only: it is never shown).'
                : 'Not set. Write-only: it is never shown.'
            }
          >
            <input
              type="password"
              autoComplete="off"
              value={draft.api_key}
              disabled={draft.remove_api_key}
              onChange={(event) => set('api_key', event.target.value)}
            />
          </Field>
          {draft.api_key_set && (
            <label className="checkbox">
              <input type="checkbox" checked={draft.remove_api_key} onChange={(event) => set('remove_api_key', event.target.checked)} />{' '}
              Remove the stored API key
            </label>
          )}
          <Field label="Time-out (ms)" hint="Per request, 100–120000; empty for the default (10000)." error={errors.timeout_ms}>
            <input inputMode="numeric" value={draft.timeout_ms} onChange={(event) => set('timeout_ms', event.target.value)} />
          </Field>
          <Field
            label="Tools (JSON)"
            hint='A JSON array of functions the model may call: [{"name": "lookup_order", "description": "…", "parameters": {…}}]. The cases’ tool mocks answer them.'
            error={errors.tools}
          >
            <textarea className="code" spellCheck={false} value={draft.tools} onChange={(event) => set('tools', event.target.value)} />
          </Field>
          <Field label="Most tool rounds per turn" hint="1–10; empty for the default (3)." error={errors.max_tool_rounds}>
            <input inputMode="numeric" value={draft.max_tool_rounds} onChange={(event) => set('max_tool_rounds', event.target.value)} />
          </Field>
        </>
      )}
    </fieldset>
  );
}

/** The connector as read back, secrets shown only as set / not set. */
export function ConnectorSummary({ draft }: { draft: ConnectorDraft }) {
  return (
    <dl className="details">
      <dt>Kind</dt>
      <dd>{draft.kind}</dd>
      {draft.kind === 'builtin' && (
        <>
          <dt>Latency</dt>
          <dd>{draft.latency_ms === '' ? 'none' : `${draft.latency_ms} ms`}</dd>
        </>
      )}
      {draft.kind === 'http' && (
        <>
          <dt>Webhook URL</dt>
          <dd>{draft.url}</dd>
          <dt>Headers</dt>
          <dd>{draft.headers.length === 0 ? 'none' : draft.headers.map((header) => `${header.name}: set`).join(', ')}</dd>
          <dt>Time-out</dt>
          <dd>{draft.timeout_ms === '' ? 'default (10000 ms)' : `${draft.timeout_ms} ms`}</dd>
        </>
      )}
      {draft.kind === 'openai' && (
        <>
          <dt>Base URL</dt>
          <dd>{draft.base_url}</dd>
          <dt>Model</dt>
          <dd>{draft.model}</dd>
          <dt>API key</dt>
          <dd>{draft.api_key_set ? 'set' : 'not set'}</dd>
          <dt>Time-out</dt>
          <dd>{draft.timeout_ms === '' ? 'default (10000 ms)' : `${draft.timeout_ms} ms`}</dd>
          <dt>Tools</dt>
          <dd>{draft.tools === '' ? 'none' : <pre>{draft.tools}</pre>}</dd>
          <dt>Most tool rounds</dt>
          <dd>{draft.max_tool_rounds}</dd>
        </>
      )}
    </dl>
  );
}
