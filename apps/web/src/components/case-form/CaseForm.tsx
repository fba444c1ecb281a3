import type { FieldError } from '@sims/client';
import { type FormEvent, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { Button, describeError, Field } from '../../ui';
import { CheckFields } from './CheckFields';
import { describeField, FieldErrors, ownKindDetails } from './errors';
import { type CaseBody, type CaseDraft, type CheckKind, type MockDraft, newCheck, newMock, type Row, row, toBody } from './model';
import './CaseForm.css';

interface Props {
  initial: CaseDraft;
  submitLabel: string;
  /** Called with a body that parsed; the page sends it. */
  onSubmit(body: CaseBody): void;
  busy?: boolean;
  /** The failed save, if any: its 422 `details` are shown at the fields they point to. */
  error?: unknown;
  /** More actions beside the submit button (delete, cancel). */
  actions?: ReactNode;
}

function replace<T>(list: readonly T[], index: number, item: T): T[] {
  return list.map((current, at) => (at === index ? item : current));
}

function without<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, at) => at !== index);
}

function moved<T>(list: readonly T[], index: number, by: -1 | 1): T[] {
  const target = index + by;
  if (target < 0 || target >= list.length) return [...list];
  const next = [...list];
  [next[index], next[target]] = [next[target] as T, next[index] as T];
  return next;
}

/**
 * The case editor: name, prompt, success criteria, how they combine, deterministic checks, a
 * scripted caller and tool mocks. Problems are shown next to their field and listed above the form.
 */
export function CaseForm({ initial, submitLabel, onSubmit, busy = false, error, actions }: Props) {
  const [draft, setDraft] = useState<CaseDraft>(initial);
  const [localProblems, setLocalProblems] = useState<FieldError[]>([]);
  const [added, setAdded] = useState<string | null>(null);
  const set = (patch: Partial<CaseDraft>) => setDraft((current) => ({ ...current, ...patch }));
  const form = useRef<HTMLFormElement>(null);

  // A row just added gets the focus on its first control, so keyboard users land in it.
  useEffect(() => {
    if (added === null) return;
    form.current?.querySelector<HTMLElement>(`[data-focus-key="${added}"]`)?.focus();
    setAdded(null);
  }, [added]);

  // The kinds of the checks as sent, to tell which of a check's 422 details are about its own kind.
  const [sentKinds, setSentKinds] = useState<CheckKind[]>([]);
  const apiProblems = useMemo(
    () => (error === undefined || error === null ? [] : ownKindDetails(describeError(error).details, sentKinds)),
    [error, sentKinds],
  );
  const problems = localProblems.length > 0 ? localProblems : apiProblems;
  const errors = useMemo(() => new FieldErrors(problems), [problems]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = toBody(draft);
    if (!result.ok) {
      setLocalProblems(result.problems);
      return;
    }
    setLocalProblems([]);
    setSentKinds(draft.checks.map((check) => check.kind));
    onSubmit(result.body);
  };

  const addRow = (list: 'criteria' | 'callerTurns') => {
    const item = row();
    setAdded(item.key);
    setDraft((current) => ({ ...current, [list]: [...current[list], item] }));
  };

  const rowsEditor = (list: 'criteria' | 'callerTurns', pointer: string, label: string, rows: Row[], multiline: boolean) =>
    rows.map((item, index) => {
      const setText = (text: string) => set({ [list]: replace(rows, index, { ...item, text }) });
      const control = multiline ? (
        <textarea rows={2} value={item.text} onChange={(event) => setText(event.target.value)} data-focus-key={item.key} />
      ) : (
        <input value={item.text} onChange={(event) => setText(event.target.value)} data-focus-key={item.key} />
      );
      return (
        <li key={item.key} className="case-row">
          <Field label={`${label} ${index + 1}`} error={errors.at(`${pointer}/${index}`)}>
            {control}
          </Field>
          <div className="case-row-actions">
            {list === 'callerTurns' && (
              <>
                <Button
                  onClick={() => set({ [list]: moved(rows, index, -1) })}
                  disabled={index === 0}
                  aria-label={`Move ${label.toLowerCase()} ${index + 1} up`}
                >
                  ↑
                </Button>
                <Button
                  onClick={() => set({ [list]: moved(rows, index, 1) })}
                  disabled={index === rows.length - 1}
                  aria-label={`Move ${label.toLowerCase()} ${index + 1} down`}
                >
                  ↓
                </Button>
              </>
            )}
            <Button onClick={() => set({ [list]: without(rows, index) })} aria-label={`Remove ${label.toLowerCase()} ${index + 1}`}>
              Remove
            </Button>
          </div>
        </li>
      );
    });

  const setMock = (index: number, patch: Partial<MockDraft>) =>
    setDraft((current) => ({
      ...current,
      toolMocks: replace(current.toolMocks, index, { ...(current.toolMocks[index] as MockDraft), ...patch }),
    }));

  return (
    <form className="case-form" onSubmit={submit} noValidate ref={form}>
      {problems.length > 0 && (
        <div className="state state-error" role="alert">
          <p className="state-title">
            {localProblems.length > 0 ? 'Fix these before saving' : `The case was not saved (${describeError(error).message})`}
          </p>
          <ul className="error-details">
            {problems.map((problem) => (
              <li key={`${problem.location}:${problem.field}:${problem.message}`}>
                {describeField(problem)}: {problem.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {problems.length === 0 && error !== undefined && error !== null && (
        <div className="state state-error" role="alert">
          <p className="state-title">The case was not saved</p>
          <p>
            <code>{describeError(error).code}</code> {describeError(error).message}
          </p>
        </div>
      )}

      <Field label="Name" error={errors.at('/name')} required>
        <input value={draft.name} onChange={(event) => set({ name: event.target.value })} maxLength={200} />
      </Field>
      <Field
        label="Prompt"
        hint="Who the simulated caller is and what they want. {{name}} placeholders are filled from the run's variables."
        error={errors.at('/prompt')}
        required
      >
        <textarea rows={6} value={draft.prompt} onChange={(event) => set({ prompt: event.target.value })} />
      </Field>

      <fieldset className="case-group">
        <legend>Success criteria</legend>
        <p className="field-hint">Judged in order by the judge model, in plain language. 1 to 25.</p>
        {errors.at('/success_criteria') && <p className="field-error">{errors.at('/success_criteria')}</p>}
        <ol className="case-rows">{rowsEditor('criteria', '/success_criteria', 'Criterion', draft.criteria, false)}</ol>
        <Button onClick={() => addRow('criteria')}>Add criterion</Button>
        <Field label="Passes when" error={errors.at('/call_success_type')}>
          <select value={draft.callSuccessType} onChange={(event) => set({ callSuccessType: event.target.value as 'all' | 'any' })}>
            <option value="all">Every criterion and check passes</option>
            <option value="any">At least one passes</option>
          </select>
        </Field>
      </fieldset>

      <fieldset className="case-group">
        <legend>Checks</legend>
        <p className="field-hint">Judged exactly, without a model, after the criteria; they count like criteria.</p>
        {errors.at('/checks') && <p className="field-error">{errors.at('/checks')}</p>}
        {draft.checks.length === 0 && <p className="muted">No checks.</p>}
        <ol className="case-rows">
          {draft.checks.map((check, index) => (
            <li key={check.key} className="case-item">
              <fieldset className="case-subgroup">
                <legend>Check {index + 1}</legend>
                {errors.at(`/checks/${index}`) && <p className="field-error">{errors.at(`/checks/${index}`)}</p>}
                <CheckFields
                  focusKey={check.key}
                  check={check}
                  index={index}
                  errors={errors}
                  onChange={(next) => setDraft((current) => ({ ...current, checks: replace(current.checks, index, next) }))}
                />
                <Button onClick={() => set({ checks: without(draft.checks, index) })} aria-label={`Remove check ${index + 1}`}>
                  Remove
                </Button>
              </fieldset>
            </li>
          ))}
        </ol>
        <Button
          onClick={() => {
            const check = newCheck();
            setAdded(check.key);
            set({ checks: [...draft.checks, check] });
          }}
        >
          Add check
        </Button>
      </fieldset>

      <fieldset className="case-group">
        <legend>Caller turns</legend>
        <p className="field-hint">
          A scripted caller says these in order, one after each agent reply, instead of improvising from the prompt. A turn containing
          [END_CALL] ends the call.
        </p>
        {errors.at('/caller_turns') && <p className="field-error">{errors.at('/caller_turns')}</p>}
        {draft.callerTurns.length === 0 && <p className="muted">None: the caller follows the prompt.</p>}
        <ol className="case-rows">{rowsEditor('callerTurns', '/caller_turns', 'Caller turn', draft.callerTurns, true)}</ol>
        <Button onClick={() => addRow('callerTurns')}>Add caller turn</Button>
      </fieldset>

      <fieldset className="case-group">
        <legend>Tool mocks</legend>
        <p className="field-hint">
          What the agent’s tools answer in this case (openai agents). The first mock of the name whose arguments all match answers; one
          without arguments is the default.
        </p>
        {errors.at('/tool_mocks') && <p className="field-error">{errors.at('/tool_mocks')}</p>}
        {draft.toolMocks.length === 0 && <p className="muted">No tool mocks.</p>}
        <ol className="case-rows">
          {draft.toolMocks.map((mock, index) => (
            <li key={mock.key} className="case-item">
              <fieldset className="case-subgroup">
                <legend>Tool mock {index + 1}</legend>
                {errors.at(`/tool_mocks/${index}`) && <p className="field-error">{errors.at(`/tool_mocks/${index}`)}</p>}
                <Field label="Tool name" error={errors.at(`/tool_mocks/${index}/name`)} required>
                  <input
                    value={mock.name}
                    onChange={(event) => setMock(index, { name: event.target.value })}
                    spellCheck={false}
                    data-focus-key={mock.key}
                  />
                </Field>
                <Field
                  label="Arguments (JSON object)"
                  hint="Answer only calls with these arguments; leave empty for the tool’s default answer."
                  error={errors.at(`/tool_mocks/${index}/arguments`, true)}
                >
                  <textarea
                    className="code-input"
                    rows={3}
                    value={mock.arguments}
                    onChange={(event) => setMock(index, { arguments: event.target.value })}
                    spellCheck={false}
                  />
                </Field>
                <fieldset className="case-inline">
                  <legend>Result is</legend>
                  <label>
                    <input
                      type="radio"
                      name={`${mock.key}-result-as`}
                      checked={mock.resultAs === 'json'}
                      onChange={() => setMock(index, { resultAs: 'json' })}
                    />{' '}
                    JSON
                  </label>
                  <label>
                    <input
                      type="radio"
                      name={`${mock.key}-result-as`}
                      checked={mock.resultAs === 'text'}
                      onChange={() => setMock(index, { resultAs: 'text' })}
                    />{' '}
                    Text
                  </label>
                </fieldset>
                <Field label="Result" error={errors.at(`/tool_mocks/${index}/result`, true)} required>
                  <textarea
                    className="code-input"
                    rows={3}
                    value={mock.result}
                    onChange={(event) => setMock(index, { result: event.target.value })}
                    spellCheck={false}
                  />
                </Field>
                <Button onClick={() => set({ toolMocks: without(draft.toolMocks, index) })} aria-label={`Remove tool mock ${index + 1}`}>
                  Remove
                </Button>
              </fieldset>
            </li>
          ))}
        </ol>
        <Button
          onClick={() => {
            const mock = newMock();
            setAdded(mock.key);
            set({ toolMocks: [...draft.toolMocks, mock] });
          }}
        >
          Add tool mock
        </Button>
      </fieldset>

      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {submitLabel}
        </Button>
        {actions}
      </div>
    </form>
  );
}
