import { type FormEvent, useState } from 'react';
import { Button, ErrorState, Field, fieldErrors } from '../../ui/index.js';

export interface ScenarioValues {
  name: string;
  description: string;
}

/** A scenario's name and description (what generated cases should verify). */
export function ScenarioForm({
  initial,
  submitLabel,
  onSubmit,
  busy,
  error,
  errorTitle,
}: {
  initial: ScenarioValues;
  submitLabel: string;
  onSubmit: (values: ScenarioValues) => void;
  busy: boolean;
  error: unknown;
  errorTitle: string;
}) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Partial<ScenarioValues>>({});
  const server = error === undefined || error === null ? {} : fieldErrors(error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: Partial<ScenarioValues> = {};
    if (values.name.trim() === '') found.name = 'Enter a name.';
    if (values.description.trim() === '') found.description = 'Describe what the scenario should verify.';
    setErrors(found);
    if (Object.keys(found).length === 0) onSubmit({ name: values.name.trim(), description: values.description.trim() });
  }

  return (
    <form className="form" onSubmit={submit} noValidate>
      <Field label="Name" error={errors.name ?? server['/name']} required>
        <input value={values.name} maxLength={200} onChange={(event) => setValues({ ...values, name: event.target.value })} />
      </Field>
      <Field
        label="Description"
        hint="What cases generated from this scenario should verify, in plain words."
        error={errors.description ?? server['/description']}
        required
      >
        <textarea
          rows={6}
          maxLength={5000}
          value={values.description}
          onChange={(event) => setValues({ ...values, description: event.target.value })}
        />
      </Field>
      {error !== undefined && error !== null && <ErrorState error={error} title={errorTitle} />}
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
