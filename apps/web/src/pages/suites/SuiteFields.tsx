import { type FormEvent, type ReactNode, useState } from 'react';
import { useApi } from '../../api';
import { Button, ErrorState, Field, fieldErrors } from '../../ui';

interface SuiteValues {
  name: string;
  model_id: string;
}

interface Props {
  initial: SuiteValues;
  submitLabel: string;
  onSubmit(values: SuiteValues): void;
  busy?: boolean;
  error?: unknown;
  actions?: ReactNode;
}

/** Name and agent of a suite, for creating one and for editing it. */
export function SuiteFields({ initial, submitLabel, onSubmit, busy = false, error, actions }: Props) {
  const api = useApi();
  const agents = api.useQuery('get', '/agents', { params: { query: { page_size: 100 } } });
  const [values, setValues] = useState(initial);
  const problems = error ? fieldErrors(error) : {};
  const at = (field: string) => problems[`/${field}`];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(values);
  };
  const items = agents.data?.response.items ?? [];
  const known = items.some((agent) => agent.id === values.model_id);
  return (
    <form className="form" onSubmit={submit}>
      {error ? <ErrorState error={error} title="The suite was not saved" /> : null}
      <Field label="Name" error={at('name')} required>
        <input value={values.name} maxLength={200} onChange={(event) => setValues({ ...values, name: event.target.value })} />
      </Field>
      {agents.isError ? (
        <ErrorState error={agents.error} title="The agents could not be loaded" retry={() => void agents.refetch()} />
      ) : (
        <Field
          label="Agent"
          hint={items.length === 0 && !agents.isPending ? 'No agents yet: create one first.' : 'The suite runs on this agent.'}
          error={at('model_id')}
          required
        >
          <select
            value={values.model_id}
            onChange={(event) => setValues({ ...values, model_id: event.target.value })}
            disabled={agents.isPending}
          >
            <option value="">{agents.isPending ? 'Loading agents…' : 'Choose an agent'}</option>
            {!known && values.model_id !== '' && <option value={values.model_id}>{values.model_id}</option>}
            {items.map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.name}
              </option>
            ))}
          </select>
        </Field>
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy} disabled={values.name.trim() === '' || values.model_id === ''}>
          {submitLabel}
        </Button>
        {actions}
      </div>
    </form>
  );
}
