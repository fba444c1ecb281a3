import type { FieldError } from '@sims/client';
import type { CheckKind } from './model';

/**
 * Field problems by JSON pointer into the body (`/checks/0/pattern`), from the API's 422 `details`
 * or from the form's own checks before sending.
 */
export class FieldErrors {
  private readonly byField = new Map<string, string[]>();
  readonly all: readonly FieldError[];

  constructor(details: readonly FieldError[]) {
    this.all = details;
    for (const detail of details) {
      if (detail.location !== 'body') continue;
      const messages = this.byField.get(detail.field) ?? [];
      if (!messages.includes(detail.message)) messages.push(detail.message);
      this.byField.set(detail.field, messages);
    }
  }

  /**
   * The messages for one field. `deep` also takes problems inside it, for values that are JSON
   * objects of their own (a mock's `arguments`: `/tool_mocks/0/arguments/order_id`).
   */
  at(pointer: string, deep = false): string | undefined {
    const messages: string[] = [...(this.byField.get(pointer) ?? [])];
    if (deep) {
      for (const [field, found] of this.byField) if (field.startsWith(`${pointer}/`)) messages.push(...found);
    }
    return messages.length > 0 ? messages.join('; ') : undefined;
  }
}

const LIST_LABELS: Record<string, string> = {
  success_criteria: 'Success criterion',
  checks: 'Check',
  caller_turns: 'Caller turn',
  tool_mocks: 'Tool mock',
};

const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  prompt: 'Prompt',
  success_criteria: 'Success criteria',
  call_success_type: 'Passes when',
  checks: 'Checks',
  caller_turns: 'Caller turns',
  tool_mocks: 'Tool mocks',
  suite_id: 'Suite',
};

/** Says where a problem is in the form's words: `/checks/1/pattern` → "Check 2 › pattern". */
export function describeField(detail: FieldError): string {
  if (detail.location !== 'body') return `${detail.location} ${detail.field}`.trim();
  const parts = detail.field.split('/').filter(Boolean);
  if (parts.length === 0) return 'The case';
  const [head = '', index, ...rest] = parts;
  const list = LIST_LABELS[head];
  if (list !== undefined && index !== undefined && /^\d+$/.test(index)) {
    return [`${list} ${Number(index) + 1}`, ...rest.map((part) => part.replaceAll('_', ' '))].join(' › ');
  }
  return [FIELD_LABELS[head] ?? head, ...(index === undefined ? [] : [index]), ...rest].join(' › ');
}

/** The fields each kind of check has (the spec's `CaseCheck*` schemas), besides `kind`. */
const CHECK_FIELDS: Record<CheckKind, ReadonlySet<string>> = {
  contains: new Set(['text', 'case_sensitive', 'side', 'negate', 'description']),
  matches: new Set(['pattern', 'flags', 'side', 'negate', 'description']),
  ended_by: new Set(['side', 'description']),
  turns_at_most: new Set(['max', 'description']),
  tool_called: new Set(['name', 'arguments', 'description']),
};

/** Messages about choices made from a list (kind, side): only another kind's schema can refuse them. */
const OTHER_BRANCH = /^(is not a known field|must be equal to constant|must be equal to one of the allowed values)$/;

/** What a `oneOf` says of itself (an update's lists are `oneOf` the list or `null`), said better by a detail inside it. */
const ONE_OF_NOISE = /^(must be null|must match exactly one schema in oneOf)$/;

/**
 * A check is a `oneOf`, so a 422 about one lists what every kind's schema said of it: "text is not a
 * known field" from `matches`, "must have required property 'max'" from `turns_at_most`, then "must
 * match exactly one schema in oneOf". Only what the check's own kind says is kept; a `oneOf`'s own
 * message stays only when nothing more precise is left inside it.
 */
export function ownKindDetails(details: readonly FieldError[], kinds: readonly CheckKind[]): FieldError[] {
  const kept = details.filter((detail) => {
    const match = detail.location === 'body' ? /^\/checks\/(\d+)\/([^/]+)/.exec(detail.field) : null;
    if (match === null) return true;
    const kind = kinds[Number(match[1])];
    if (kind === undefined) return true;
    return CHECK_FIELDS[kind].has(match[2] ?? '') && !OTHER_BRANCH.test(detail.message);
  });
  return kept.filter(
    (detail) =>
      !(ONE_OF_NOISE.test(detail.message) && kept.some((other) => other.location === 'body' && other.field.startsWith(`${detail.field}/`))),
  );
}
