import { Field } from '../../ui';
import type { FieldErrors } from './errors';
import { CHECK_KINDS, type CheckDraft, type CheckKind, type EndSide, type SearchSide } from './model';

interface Props {
  check: CheckDraft;
  index: number;
  errors: FieldErrors;
  onChange(next: CheckDraft): void;
  /** Marks the kind's select as the control to focus when this check was just added. */
  focusKey: string;
}

const SEARCH_SIDES: ReadonlyArray<{ value: SearchSide; label: string }> = [
  { value: 'any', label: 'Anyone' },
  { value: 'agent', label: 'The agent' },
  { value: 'persona', label: 'The caller' },
];

const END_SIDES: ReadonlyArray<{ value: EndSide; label: string }> = [
  { value: 'agent', label: 'The agent' },
  { value: 'persona', label: 'The caller' },
  { value: 'max_turns', label: 'The turn limit' },
];

/** The fields of one deterministic check; which ones depends on its kind. */
export function CheckFields({ check, index, errors, onChange, focusKey }: Props) {
  const at = `/checks/${index}`;
  const set = (patch: Partial<CheckDraft>) => onChange({ ...check, ...patch });
  const searchSide = (
    <Field label="Whose messages" error={errors.at(`${at}/side`)}>
      <select value={check.searchSide} onChange={(event) => set({ searchSide: event.target.value as SearchSide })}>
        {SEARCH_SIDES.map((side) => (
          <option key={side.value} value={side.value}>
            {side.label}
          </option>
        ))}
      </select>
    </Field>
  );
  const negate = (
    <label className="check-option">
      <input type="checkbox" checked={check.negate} onChange={(event) => set({ negate: event.target.checked })} /> Pass when no message
      matches
    </label>
  );
  return (
    <>
      <Field label="Kind" error={errors.at(`${at}/kind`)}>
        <select value={check.kind} onChange={(event) => set({ kind: event.target.value as CheckKind })} data-focus-key={focusKey}>
          {CHECK_KINDS.map((kind) => (
            <option key={kind.kind} value={kind.kind}>
              {kind.label}
            </option>
          ))}
        </select>
      </Field>
      {check.kind === 'contains' && (
        <>
          <Field label="Text" error={errors.at(`${at}/text`)} required>
            <input value={check.text} onChange={(event) => set({ text: event.target.value })} />
          </Field>
          {searchSide}
          <label className="check-option">
            <input type="checkbox" checked={check.caseSensitive} onChange={(event) => set({ caseSensitive: event.target.checked })} /> Case
            sensitive
          </label>
          {negate}
        </>
      )}
      {check.kind === 'matches' && (
        <>
          <Field label="Pattern (JavaScript regular expression)" error={errors.at(`${at}/pattern`)} required>
            <input value={check.pattern} onChange={(event) => set({ pattern: event.target.value })} spellCheck={false} />
          </Field>
          <Field label="Flags" hint="Any of i, m, s, u." error={errors.at(`${at}/flags`)}>
            <input value={check.flags} onChange={(event) => set({ flags: event.target.value })} size={4} spellCheck={false} />
          </Field>
          {searchSide}
          {negate}
        </>
      )}
      {check.kind === 'ended_by' && (
        <Field label="Ended by" error={errors.at(`${at}/side`)}>
          <select value={check.endSide} onChange={(event) => set({ endSide: event.target.value as EndSide })}>
            {END_SIDES.map((side) => (
              <option key={side.value} value={side.value}>
                {side.label}
              </option>
            ))}
          </select>
        </Field>
      )}
      {check.kind === 'turns_at_most' && (
        <Field label="Most caller turns" hint="1 to 50." error={errors.at(`${at}/max`)} required>
          <input
            type="number"
            inputMode="numeric"
            min={1}
            max={50}
            value={check.max}
            onChange={(event) => set({ max: event.target.value })}
          />
        </Field>
      )}
      {check.kind === 'tool_called' && (
        <>
          <Field label="Tool name" error={errors.at(`${at}/name`)} required>
            <input value={check.toolName} onChange={(event) => set({ toolName: event.target.value })} spellCheck={false} />
          </Field>
          <Field
            label="Arguments (JSON object)"
            hint="Only the arguments given are compared; leave empty to accept any call of the tool."
            error={errors.at(`${at}/arguments`, true)}
          >
            <textarea
              className="code-input"
              rows={3}
              value={check.arguments}
              onChange={(event) => set({ arguments: event.target.value })}
              spellCheck={false}
            />
          </Field>
        </>
      )}
      <Field
        label="Description"
        hint="Shown as the verdict's criterion; a readable one is made when empty."
        error={errors.at(`${at}/description`)}
      >
        <input value={check.description} onChange={(event) => set({ description: event.target.value })} />
      </Field>
    </>
  );
}
