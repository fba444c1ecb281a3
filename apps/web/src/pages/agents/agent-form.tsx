import { type FormEvent, useState } from 'react';
import type { components } from '@sims/client';
import { Button, ErrorState, Field, fieldErrors } from '../../ui/index.js';
import {
  type AgentConnector,
  type ConnectorDraft,
  connectorFromDraft,
  type DraftErrors,
  draftFromConnector,
  EMPTY_DRAFT,
} from './connector-draft.js';
import { ConnectorFields, ConnectorSummary } from './connector-fields.js';
import './agents.css';

type Schemas = components['schemas'];
type AgentCreateIn = Schemas['AgentCreateIn'];
type AgentUpdateIn = Schemas['AgentUpdateIn'];
type AgentRead = Schemas['AgentReadOut'];

interface Values {
  name: string;
  prompt: string;
  agent_type: Schemas['AgentType'];
  avatar_url: string;
  phone_number: string;
}

function valuesOf(agent: AgentRead | undefined): Values {
  return {
    name: agent?.name ?? '',
    prompt: agent?.prompt ?? '',
    agent_type: agent?.agent_type ?? 'inbound',
    avatar_url: agent?.avatar_url ?? '',
    phone_number: agent?.phone_number ?? '',
  };
}

type Props =
  | { mode: 'create'; agent?: undefined; onSubmit: (body: AgentCreateIn) => void; busy: boolean; error: unknown }
  | { mode: 'edit'; agent: AgentRead; onSubmit: (body: AgentUpdateIn) => void; busy: boolean; error: unknown };

/**
 * Create or edit an agent. Editing leaves the connector alone unless the user chooses to change it:
 * the API replaces a connector as a whole, so changing it means entering its secrets again.
 */
export function AgentForm(props: Props) {
  const { mode, agent, busy, error } = props;
  const [values, setValues] = useState<Values>(() => valuesOf(agent));
  const current: AgentConnector | undefined = agent?.connector;
  const [changingConnector, setChangingConnector] = useState(mode === 'create');
  const [draft, setDraft] = useState<ConnectorDraft>(() => (mode === 'create' ? EMPTY_DRAFT : draftFromConnector(current)));
  const [errors, setErrors] = useState<Partial<Record<keyof Values, string>>>({});
  const [draftErrors, setDraftErrors] = useState<DraftErrors>({});
  const server = error === undefined || error === null ? {} : fieldErrors(error);

  const set = <K extends keyof Values>(key: K, value: Values[K]) => setValues((old) => ({ ...old, [key]: value }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: Partial<Record<keyof Values, string>> = {};
    if (values.name.trim() === '') found.name = 'Enter a name.';
    if (values.prompt.trim() === '') found.prompt = 'Enter the agent’s prompt.';
    const connector = changingConnector ? connectorFromDraft(draft) : undefined;
    setErrors(found);
    setDraftErrors(connector && !connector.ok ? connector.errors : {});
    if (Object.keys(found).length > 0 || (connector && !connector.ok)) return;
    const avatar = values.avatar_url.trim();
    const phone = values.phone_number.trim();
    if (props.mode === 'create') {
      props.onSubmit({
        name: values.name.trim(),
        prompt: values.prompt,
        agent_type: values.agent_type,
        ...(connector?.ok ? { connector: connector.connector } : {}),
        ...(avatar === '' ? {} : { avatar_url: avatar }),
        ...(phone === '' ? {} : { phone_number: phone }),
      });
    } else {
      props.onSubmit({
        name: values.name.trim(),
        prompt: values.prompt,
        agent_type: values.agent_type,
        // null clears these two (omitting would keep them).
        avatar_url: avatar === '' ? null : avatar,
        phone_number: phone === '' ? null : phone,
        ...(connector?.ok ? { connector: connector.connector } : {}),
      });
    }
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <Field label="Name" error={errors.name ?? server['/name']} required>
        <input value={values.name} maxLength={200} onChange={(event) => set('name', event.target.value)} />
      </Field>
      <Field
        label="Prompt"
        hint="The agent’s own instructions; {{name}} placeholders are filled from a case’s variables."
        error={errors.prompt ?? server['/prompt']}
        required
      >
        <textarea rows={8} value={values.prompt} onChange={(event) => set('prompt', event.target.value)} />
      </Field>
      <Field label="Type" error={server['/agent_type']}>
        <select value={values.agent_type} onChange={(event) => set('agent_type', event.target.value as Values['agent_type'])}>
          <option value="inbound">Inbound (answers calls)</option>
          <option value="outbound">Outbound (places calls)</option>
        </select>
      </Field>
      <Field label="Avatar URL" error={server['/avatar_url']}>
        <input type="url" value={values.avatar_url} onChange={(event) => set('avatar_url', event.target.value)} />
      </Field>
      <Field label="Phone number" error={server['/phone_number']}>
        <input type="tel" value={values.phone_number} onChange={(event) => set('phone_number', event.target.value)} />
      </Field>

      {changingConnector ? (
        <>
          {mode === 'edit' && (
            <p className="notice">
              The connector is replaced as a whole: enter its secrets (header values, API key) again.{' '}
              <button
                type="button"
                className="button"
                onClick={() => {
                  setChangingConnector(false);
                  setDraft(draftFromConnector(current));
                  setDraftErrors({});
                }}
              >
                Keep the current connector
              </button>
            </p>
          )}
          <ConnectorFields draft={draft} errors={{ ...connectorServerErrors(server), ...draftErrors }} onChange={setDraft} />
        </>
      ) : (
        <section aria-labelledby="connector-heading" className="connector-current">
          <h2 id="connector-heading">Connector</h2>
          <ConnectorSummary draft={draftFromConnector(current)} />
          <Button onClick={() => setChangingConnector(true)}>Change connector</Button>
        </section>
      )}

      {error !== undefined && error !== null && (
        <ErrorState error={error} title={mode === 'create' ? 'The agent was not created' : 'The agent was not saved'} />
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {mode === 'create' ? 'Create agent' : 'Save changes'}
        </Button>
      </div>
    </form>
  );
}

/** The API's problems with the connector (`/connector/url`, `/connector/tools/0/name`…) next to their inputs. */
function connectorServerErrors(server: Record<string, string>): DraftErrors {
  const out: DraftErrors = {};
  for (const [field, message] of Object.entries(server)) {
    const match = /^\/connector\/([a-z_]+)/.exec(field);
    const key = match?.[1];
    if (key && ['latency_ms', 'url', 'headers', 'base_url', 'model', 'api_key', 'timeout_ms', 'tools', 'max_tool_rounds'].includes(key))
      out[key as keyof DraftErrors] = message;
  }
  return out;
}
