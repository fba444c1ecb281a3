import type { FieldError } from '@sims/client';

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
